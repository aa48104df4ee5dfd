"""GET /v1/contacts/<user_id>, CORS and the OpenAPI document."""

from __future__ import annotations

from journeys.models import Contact, Subscription
from tests.conftest import hash_for


def test_contact_shows_traits_subscriptions_and_newest_events_first(api):
    api.post("identify", {"userId": "ada", "traits": {"email": "ada@example.com", "plan": "free"}})
    for i in range(55):
        api.post(
            "track",
            {"userId": "ada", "event": f"Step {i}", "timestamp": f"2026-01-01T00:{i:02d}:00Z"},
        )
    contact = Contact.objects.get()
    Subscription.objects.create(
        contact=contact,
        channel="sms",
        state="unsubscribed",
        reason="replied STOP",
        changed_at=contact.first_seen_at,
    )

    body = api.get("contacts/ada").json()

    assert body["user_id"] == "ada"
    assert body["traits"] == {"email": "ada@example.com", "plan": "free"}
    assert body["subscriptions"]["sms"]["state"] == "unsubscribed"
    assert body["subscriptions"]["sms"]["reason"] == "replied STOP"
    assert body["subscriptions"]["email"] == {
        "state": "subscribed",
        "reason": "",
        "changed_at": None,
    }
    assert len(body["recent_events"]) == 50
    assert body["recent_events"][1] == {
        "event": "Step 54",
        "type": "track",
        "timestamp": "2026-01-01T00:54:00Z",
        "properties": {},
    }
    assert body["enrollments"] == []


def test_unknown_contact_is_404(api):
    response = api.get("contacts/nobody")

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": "No contact with user_id 'nobody'.",
        "code": "not_found",
        "message": "No contact with user_id 'nobody'.",
    }


def test_contact_needs_the_key(api):
    response = api.get("contacts/ada", key="wrong")

    assert response.status_code == 401


def test_no_write_key_reads_a_contact(api):
    api.post("identify", {"userId": "ada", "traits": {"email": "ada@example.com"}})

    response = api.get("contacts/ada", key=api.key)

    assert response.status_code == 403
    assert response.json()["code"] == "secret_key_required"
    assert "ada@example.com" not in response.content.decode()


def test_browser_call_from_an_allowed_origin(client, make_source):
    source, key = make_source("Web app", origins=["https://app.example.com"])

    response = client.post(
        "/v1/track",
        data={"userId": "ada", "event": "E"},
        content_type="application/json",
        headers={
            "Authorization": f"Bearer {key}",
            "Origin": "https://app.example.com",
            "X-Stepwise-User-Hash": hash_for(source, "ada"),
        },
    )

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"


def test_browser_call_from_another_origin_is_403(client, make_source):
    _, key = make_source("Web app", origins=["https://app.example.com"])

    response = client.post(
        "/v1/track",
        data={"userId": "ada", "event": "E"},
        content_type="application/json",
        headers={"Authorization": f"Bearer {key}", "Origin": "https://evil.example"},
    )

    assert response.status_code == 403
    assert "https://evil.example is not allowed" in response.json()["error"]
    assert Contact.objects.count() == 0


def test_preflight_is_answered(client, make_source):
    make_source("Web app", origins=["https://app.example.com"])

    response = client.options(
        "/v1/track",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST"},
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert "Authorization" in response["Access-Control-Allow-Headers"]
    assert "X-Stepwise-User-Hash" in response["Access-Control-Allow-Headers"]


def test_openapi_document_describes_the_api(client, db):
    spec = client.get("/v1/openapi.json").json()

    assert {"/v1/track", "/v1/identify", "/v1/batch", "/v1/contacts/{user_id}"} <= set(
        spec["paths"]
    )
    assert "400" in spec["paths"]["/v1/track"]["post"]["responses"]
    assert client.get("/v1/docs").status_code == 200
