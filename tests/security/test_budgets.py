"""Budgets that cannot be stolen: events sent with a browser (publishable) key spend a
budget of their own, shared out per contact or client address, and never the budget of the
source's server events."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache

from journeys.api import limits
from journeys.models import Event
from tests.conftest import hash_for

pytestmark = pytest.mark.django_db
ACME = "https://acme.example.com"


@pytest.fixture
def acme(make_source, settings):
    settings.EVENT_API_RATE_LIMIT = 50
    settings.EVENT_API_BROWSER_RATE_LIMIT = 50
    settings.EVENT_API_BROWSER_CLIENT_RATE_LIMIT = 10
    browser, browser_key = make_source("Acme web", origins=[ACME])
    _, server_key = make_source("Acme server")
    return SimpleNamespace(browser=browser, browser_key=browser_key, server_key=server_key)


@pytest.fixture
def one_second(monkeypatch):
    """Every request within one second, on any machine: the limits' clock stands still (and
    the counters start empty, whatever other tests left in this process's cache)."""
    monkeypatch.setattr(limits, "time", SimpleNamespace(time=lambda: 5000.5))
    cache.clear()


def _post(client, key: str, body: dict, *, address: str, path: str = "track", **headers):
    return client.post(
        f"/v1/{path}",
        body,
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", **headers},
        REMOTE_ADDR=address,
    )


def test_a_browser_key_flood_leaves_server_events_at_zero_429(client, acme):
    """The issue's attack: one visitor floods anonymous events with Acme's public key while
    Acme's servers send their own, with the server key and with the browser key."""
    server_statuses = []
    for round_number in range(10):
        for i in range(60):
            _post(
                client,
                acme.browser_key,
                {"anonymousId": f"flood-{round_number}-{i}", "event": "Spam"},
                address="203.0.113.66",
                Origin=ACME,
            )
        user = f"user-{round_number}"
        event = {"userId": user, "event": "Paid"}
        server_statuses.append(
            _post(client, acme.server_key, event, address="198.51.100.7").status_code
        )
        server_statuses.append(
            _post(
                client,
                acme.browser_key,
                event,
                address="198.51.100.7",
                **{"X-Stepwise-User-Hash": hash_for(acme.browser, user)},
            ).status_code
        )

    assert server_statuses == [200] * 20
    assert Event.objects.filter(name="Paid").count() == 20


def test_anonymous_browser_events_have_a_budget_per_client_address(client, acme, one_second):
    anonymous = [
        _post(client, acme.browser_key, {"anonymousId": f"v{i}", "event": "Seen"}, address=ip)
        for ip, i in [("203.0.113.66", i) for i in range(12)] + [("203.0.113.67", 99)]
    ]

    statuses = [answer.status_code for answer in anonymous]
    assert statuses == [200] * 10 + [429, 429] + [200]
    assert anonymous[10]["Retry-After"] == "1"
    assert Event.objects.count() == 11


def test_named_browser_events_have_a_budget_per_contact(client, acme, one_second):
    def send(user: str, presented: str):
        event = {"userId": user, "event": "Clicked"}
        headers = {"X-Stepwise-User-Hash": presented}
        return _post(client, acme.browser_key, event, address="203.0.113.66", **headers)

    forged = [send("bob", "0" * 64).status_code for _ in range(15)]
    ada = [send("ada", hash_for(acme.browser, "ada")).status_code for _ in range(11)]
    bob = [send("bob", hash_for(acme.browser, "bob")).status_code for _ in range(10)]

    assert forged == [403] * 15  # refused before spending anything of Bob's share
    assert ada == [200] * 10 + [429]
    assert bob == [200] * 10


def test_a_batch_bigger_than_a_share_is_413_with_the_maximum_and_a_smaller_one_passes(
    client, acme, one_second
):
    visitors = [{"type": "track", "anonymousId": f"v{i}", "event": "Seen"} for i in range(11)]

    too_big = _post(
        client, acme.browser_key, {"batch": visitors}, address="203.0.113.66", path="batch"
    )
    fits = _post(
        client, acme.browser_key, {"batch": visitors[:10]}, address="203.0.113.66", path="batch"
    )

    assert too_big.status_code == 413
    assert too_big.json()["maximum"] == 10
    assert too_big.json()["field"] == "batch"
    assert "one address with the browser key may send 10 per second" in too_big.json()["error"]
    assert fits.status_code == 200
    assert Event.objects.count() == 10
