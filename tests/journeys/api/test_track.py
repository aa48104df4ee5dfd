"""POST /v1/track and friends: what a product app sees, and what gets stored."""

from __future__ import annotations

from datetime import UTC, datetime

from journeys.models import Contact, Event


def test_track_stores_the_event_for_a_new_contact(api):
    response = api.post(
        "track",
        {
            "userId": "ada",
            "event": "Signed Up",
            "properties": {"plan": "free", "seats": 3},
            "timestamp": "2026-11-20T10:00:00Z",
            "messageId": "m-1",
            "context": {"ip": "203.0.113.9"},
        },
    )

    assert response.status_code == 200
    assert response.json() == {"success": True}
    event = Event.objects.get()
    assert (event.contact.user_id, event.name, event.type) == ("ada", "Signed Up", "track")
    assert event.properties == {"plan": "free", "seats": 3}
    assert event.timestamp == datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    assert event.message_id == "m-1"
    assert event.context == {"ip": "203.0.113.9"}
    assert event.processed_at is None


def test_track_without_timestamp_uses_the_time_received(api):
    api.post("track", {"userId": "ada", "event": "Opened App"})

    event = Event.objects.get()
    assert event.timestamp == event.received_at


def test_sent_at_corrects_the_client_clock(api):
    api.post(
        "track",
        {
            "userId": "ada",
            "event": "Opened App",
            "timestamp": "2020-01-01T10:00:00Z",
            "sentAt": "2020-01-01T10:05:00Z",
        },
    )

    event = Event.objects.get()
    assert event.received_at - event.timestamp == datetime(
        2020, 1, 1, 10, 5, tzinfo=UTC
    ) - datetime(2020, 1, 1, 10, 0, tzinfo=UTC)


def test_numeric_user_id_is_accepted_as_a_string(api):
    response = api.post("track", {"userId": 42, "event": "Opened App"})

    assert response.status_code == 200
    assert Contact.objects.get().user_id == "42"


def test_repeated_message_id_is_stored_once_and_still_accepted(api):
    body = {"userId": "ada", "event": "Signed Up", "messageId": "same"}

    first = api.post("track", body)
    second = api.post("track", body)

    assert (first.status_code, second.status_code) == (200, 200)
    assert Event.objects.count() == 1


def test_same_message_id_from_two_sources_is_two_events(api, make_source):
    other_key = make_source("Other app")[1]
    body = {"userId": "ada", "event": "Signed Up", "messageId": "same"}

    api.post("track", body)
    api.post("track", body, key=other_key)

    assert Event.objects.count() == 2


def test_anonymous_track_creates_an_anonymous_contact(api):
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    api.post("track", {"anonymousId": "anon-1", "event": "Viewed Signup"})

    contact = Contact.objects.get()
    assert contact.user_id is None
    assert list(contact.aliases.values_list("anonymous_id", flat=True)) == ["anon-1"]
    assert contact.events.count() == 2


def test_page_and_screen_are_stored_as_events(api):
    api.post("page", {"userId": "ada", "name": "Pricing", "properties": {"path": "/pricing"}})
    api.post("page", {"userId": "ada", "category": "Docs"})
    api.post("screen", {"userId": "ada", "name": "Home"})

    rows = list(Event.objects.order_by("id").values_list("type", "name", "properties"))
    assert rows == [
        ("page", "Pricing", {"path": "/pricing"}),
        ("page", "Page Viewed", {"category": "Docs"}),
        ("screen", "Home", {}),
    ]


def test_group_is_kept_on_the_contact(api):
    api.post("group", {"userId": "ada", "groupId": "acme", "traits": {"plan": "team"}})
    api.post("group", {"userId": "ada", "groupId": "acme", "traits": {"seats": 5}})

    assert Contact.objects.get().groups == {"acme": {"plan": "team", "seats": 5}}


def test_bearer_token_authenticates_too(api, client):
    response = client.post(
        "/v1/track",
        data={"userId": "ada", "event": "Signed Up"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {api.key}"},
    )

    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_write_key_in_the_body_authenticates_like_segment(api, client):
    response = client.post(
        "/v1/track",
        data={"writeKey": api.key, "userId": "ada", "event": "Signed Up"},
        content_type="application/json",
    )

    assert response.status_code == 200
    assert Event.objects.count() == 1


def test_explicit_nulls_mean_absent(api):
    response = api.post(
        "track",
        {
            "userId": None,
            "anonymousId": "visitor",
            "event": "Viewed Pricing",
            "messageId": None,
            "timestamp": None,
            "context": {},
        },
    )

    assert response.status_code == 200
    assert Event.objects.get().contact.user_id is None
