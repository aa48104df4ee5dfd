"""Staff answer "why did (or didn't) Ada get this message?" from the contact's page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.utils import timezone

from journeys.core.traits import extract_known_traits
from journeys.people.ingest import Incoming
from journeys.people.sources import source_create
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WELCOME = json.loads(
    (Path(__file__).resolve().parents[2] / "examples" / "welcome.json").read_text()
)


def _identify_and_sign_up(source_id: int, user_id: str, traits: dict, plan: str) -> None:
    now = timezone.now()
    event_ingest(
        source_id=source_id,
        messages=[
            Incoming(
                type="identify",
                name="Identify",
                user_id=user_id,
                anonymous_id=None,
                message_id=f"{user_id}-i",
                timestamp=now,
                traits=traits,
                known=extract_known_traits(traits),
            ),
            Incoming(
                type="track",
                name="Signed Up",
                user_id=user_id,
                anonymous_id=None,
                message_id=f"{user_id}-s",
                timestamp=now,
                properties={"plan": plan},
            ),
        ],
        received_at=now,
    )


def test_contact_page_explains_entry_and_refusal(staff_page, live_server, screenshot):
    journey_import(data=WELCOME, publish=True)
    source, _ = source_create(name="App")
    _identify_and_sign_up(
        source.id, "ada", {"email": "ada@example.com", "firstName": "Ada"}, "free"
    )
    _identify_and_sign_up(source.id, "bob", {"firstName": "Bob"}, "free")
    process_pending_events()
    page = staff_page

    page.goto(f"{live_server.url}/admin/journeys/contact/?q=ada")
    page.click("text=Ada (ada)")
    page.click("text=Why (what Stepwise decided, step by step)")
    screenshot("admin-contact-journey-trace")
    ada_trip = page.locator(".trip").inner_text()
    page.goto(f"{live_server.url}/admin/journeys/contact/?q=bob")
    page.click("text=Bob (bob)")
    page.click("text=Journeys Bob did not enter, and why")
    screenshot("admin-contact-not-enrolled")
    bob_trace = page.locator(".why").inner_text()

    assert "Welcome v1 — waiting for “Uploaded File” until" in ada_trip
    assert "“Hello”: an email, handed over to be sent." in ada_trip
    assert "in the audience: their “email” = “ada@example.com” is set: yes" in ada_trip
    assert "Hello" in ada_trip
    assert "Wait upload" in ada_trip
    assert "not enrolled: not in the audience: their “email” = (not set) is set: no" in bob_trace
