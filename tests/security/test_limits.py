"""Issue 12: bounded key cache, events per second per source, failed authentications per
address; refused requests store nothing. Issue 20: a batch bigger than the budget is a 413
with the maximum, never a 429 forever."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import requests
from django.core.cache import cache

from journeys.api import limits
from journeys.api.limits import Budget, RateLimited, budgets_take
from journeys.models import Event
from journeys.people import sources
from journeys.people.sources import source_create, source_for_key

pytestmark = pytest.mark.django_db(transaction=True)


def test_unknown_keys_do_not_grow_the_cache_without_bound(db, monkeypatch):
    monkeypatch.setattr(sources, "KEY_CACHE_SIZE", 50)
    sources.source_cache_clear()

    for i in range(500):
        source_for_key(f"sw_random-{i}")

    assert len(sources._cache) == 50


def test_a_second_over_the_rate_limit_is_429_and_stores_nothing(client, settings, monkeypatch):
    settings.EVENT_API_RATE_LIMIT = 5
    # Every request within one second, on any machine: the limits' clock stands still.
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 1000.4))
    cache.clear()
    _, key = source_create(name="Burst")
    batch = [{"type": "track", "userId": "ada", "event": f"E{i}"} for i in range(4)]
    post = {"content_type": "application/json", "headers": {"Authorization": f"Bearer {key}"}}

    first = client.post("/v1/batch", {"batch": batch}, **post)
    refused = client.post("/v1/batch", {"batch": batch[:2]}, **post)

    assert first.status_code == 200
    assert refused.status_code == 429
    assert refused["Retry-After"] == "1"
    assert refused.json()["code"] == "rate_limited"
    assert Event.objects.count() == 4


def test_a_batch_bigger_than_the_whole_budget_is_413_with_the_maximum(live_server, settings):
    """It could never pass: a 429 would have the SDK retry it forever."""
    settings.EVENT_API_RATE_LIMIT = 5
    _, key = source_create(name=f"Burst {live_server.url}")
    batch = [{"type": "track", "userId": "ada", "event": f"E{i}"} for i in range(6)]

    refused = requests.post(
        f"{live_server.url}/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=5
    )
    admitted = requests.post(
        f"{live_server.url}/v1/batch", json={"batch": batch[:5]}, auth=(key, ""), timeout=5
    )

    assert refused.status_code == 413
    assert refused.json()["code"] == "too_many_events"
    assert refused.json()["maximum"] == 5
    assert "smaller batches" in refused.json()["error"]
    assert admitted.status_code == 200  # the refused batch spent nothing
    assert Event.objects.count() == 5


def test_the_budget_refills_every_second(db):
    budget = Budget("991", 10, "this source")

    budgets_take({budget: 10}, now=1000.2)
    with pytest.raises(RateLimited) as refused:
        budgets_take({budget: 1}, now=1000.7)
    budgets_take({budget: 10}, now=1001.1)

    assert refused.value.retry_after == 1


def test_failed_authentications_are_limited_per_address(live_server, settings):
    settings.EVENT_API_AUTH_FAILURES_PER_MINUTE = 3
    _, key = source_create(name=f"Guarded {live_server.url}")
    event = {"userId": "ada", "event": "E"}

    guesses = [
        requests.post(
            f"{live_server.url}/v1/track", json=event, auth=(f"sw_guess{i}", ""), timeout=5
        )
        for i in range(4)
    ]
    right_key = requests.post(f"{live_server.url}/v1/track", json=event, auth=(key, ""), timeout=5)

    assert [g.status_code for g in guesses] == [401, 401, 401, 429]
    assert right_key.status_code == 429
    assert "Retry-After" in right_key.headers
    assert Event.objects.count() == 0
