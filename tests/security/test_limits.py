"""Issue 12: bounded key cache, events per second per source, failed authentications per
address; refused requests store nothing."""

from __future__ import annotations

import pytest
import requests

from journeys.api.limits import RateLimited, events_allow
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


def test_a_burst_over_the_rate_limit_is_429_and_stores_nothing(live_server, settings):
    settings.EVENT_API_RATE_LIMIT = 5
    _, key = source_create(name=f"Burst {live_server.url}")
    batch = [{"type": "track", "userId": "ada", "event": f"E{i}"} for i in range(6)]

    refused = requests.post(
        f"{live_server.url}/v1/batch", json={"batch": batch}, auth=(key, ""), timeout=5
    )

    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.json()["code"] == "rate_limited"
    assert Event.objects.count() == 0


def test_the_budget_refills_every_second(db, settings):
    settings.EVENT_API_RATE_LIMIT = 10

    events_allow(source_id=991, events=10, now=1000.2)
    with pytest.raises(RateLimited) as refused:
        events_allow(source_id=991, events=1, now=1000.7)
    events_allow(source_id=991, events=10, now=1001.1)

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
