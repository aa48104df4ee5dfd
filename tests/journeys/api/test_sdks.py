"""Real traffic from Segment's and RudderStack's own Python SDKs against a live server."""

from __future__ import annotations

import pytest
from rudderstack.analytics import Client as RudderClient
from segment.analytics import Client as SegmentClient
from segment.analytics.request import APIError

from journeys.models import Contact, Event
from journeys.people.sources import source_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def sdk_key(transactional_db) -> str:
    return source_create(name="SDK app")[1]


@pytest.fixture
def errors() -> list:
    return []


def _segment(live_server, key, errors, *, gzip: bool) -> SegmentClient:
    return SegmentClient(
        key,
        host=live_server.url,
        gzip=gzip,
        sync_mode=True,
        max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )


@pytest.mark.parametrize("gzip", [False, True])
def test_segment_sdk_sends_a_first_event(live_server, sdk_key, errors, gzip):
    client = _segment(live_server, sdk_key, errors, gzip=gzip)

    client.identify("ada", {"email": "ada@example.com", "firstName": "Ada", "plan": "free"})
    client.track("ada", "Signed Up", {"plan": "free"})
    client.page("ada", "Docs", "Getting started", {"path": "/docs"})
    client.group("ada", "acme", {"name": "Acme"})
    client.flush()

    assert errors == []
    ada = Contact.objects.get(user_id="ada")
    assert (ada.email, ada.first_name, ada.traits["plan"]) == ("ada@example.com", "Ada", "free")
    assert ada.groups == {"acme": {"name": "Acme"}}
    rows = list(Event.objects.order_by("id").values_list("type", "name", "properties"))
    assert rows == [
        ("identify", "Identify", {}),
        ("track", "Signed Up", {"plan": "free"}),
        ("page", "Getting started", {"path": "/docs", "category": "Docs"}),
        ("group", "Group", {}),
    ]


def test_segment_sdk_anonymous_then_alias(live_server, sdk_key, errors):
    client = _segment(live_server, sdk_key, errors, gzip=True)

    client.track(anonymous_id="visitor-1", event="Viewed Pricing")
    client.identify("ada", {"firstName": "Ada"})
    client.alias("visitor-1", "ada")
    client.flush()

    assert errors == []
    assert Contact.objects.count() == 1
    assert Event.objects.filter(contact__user_id="ada").count() == 3


def test_segment_sdk_is_told_about_a_bad_key(live_server, transactional_db, errors):
    client = _segment(live_server, "sw_wrong", errors, gzip=False)

    with pytest.raises(APIError) as refused:
        client.track("ada", "Signed Up")

    assert (refused.value.status, refused.value.code) == (401, "unauthorized")
    assert Event.objects.count() == 0


@pytest.mark.parametrize("gzip", [False, True])
def test_rudderstack_sdk_sends_events(live_server, sdk_key, errors, gzip):
    client = RudderClient(
        sdk_key,
        host=live_server.url,
        gzip=gzip,
        sync_mode=True,
        max_retries=0,
        on_error=lambda error, batch: errors.append(error),
    )

    client.identify("bob", {"email": "bob@example.com"})
    client.track("bob", "Uploaded File", {"filename": "plan.pdf"})
    client.screen("bob", "Onboarding", "Welcome")
    client.flush()

    assert errors == []
    bob = Contact.objects.get(user_id="bob")
    assert bob.email == "bob@example.com"
    assert list(bob.events.order_by("id").values_list("type", "name")) == [
        ("identify", "Identify"),
        ("track", "Uploaded File"),
        ("screen", "Welcome"),
    ]
