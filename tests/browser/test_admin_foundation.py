"""Staff in the admin: sources and keys, a contact's timeline, the event catalogue."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone

from journeys.core.traits import extract_known_traits
from journeys.models import Source
from journeys.people.ingest import Incoming
from journeys.people.sources import hash_key, source_create
from journeys.run.events import event_ingest
from journeys.tasks import process_pending_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _send(source_id: int, user_id: str, name: str, **properties) -> None:
    now = timezone.now()
    event_ingest(
        source_id=source_id,
        messages=[
            Incoming(
                type="track",
                name=name,
                user_id=user_id,
                anonymous_id=None,
                message_id=f"{user_id}-{name}",
                timestamp=now,
                properties=properties,
            )
        ],
        received_at=now,
    )


def test_staff_create_a_source_and_see_its_key_once(staff_page, live_server, screenshot):
    page = staff_page
    page.goto(f"{live_server.url}/admin/journeys/source/add/")
    page.fill("#id_name", "Web app")
    page.fill("#id_allowed_origins", '["https://app.example.com"]')
    page.click("input[name=_save]")

    notice = page.locator(".messagelist .warning").inner_text()
    screenshot("admin-source-created")
    key = re.search(r"(sw_\S+) — copy it now", notice).group(1)
    source = Source.objects.get(name="Web app")
    assert source.key_hash == hash_key(key)
    assert source.allowed_origins == ["https://app.example.com"]
    page.goto(f"{live_server.url}/admin/journeys/source/")
    assert key not in page.content()
    assert source.key_prefix in page.content()


def test_contact_page_shows_traits_and_timeline(staff_page, live_server, screenshot):
    source, _ = source_create(name="App")
    now = timezone.now()
    traits = {"email": "ada@example.com", "firstName": "Ada", "plan": "free"}
    event_ingest(
        source_id=source.id,
        messages=[
            Incoming(
                type="identify",
                name="Identify",
                user_id="ada",
                anonymous_id=None,
                message_id="i1",
                timestamp=now,
                traits=traits,
                known=extract_known_traits(traits),
            )
        ],
        received_at=now,
    )
    _send(source.id, "ada", "Signed Up", plan="free")
    _send(source.id, "ada", "Uploaded File", filename="engine.pdf")
    page = staff_page

    page.goto(f"{live_server.url}/admin/journeys/contact/?q=ada")
    page.click("text=Ada (ada)")
    screenshot("admin-contact-timeline")

    timeline = page.locator("ol.events").inner_text()
    assert "Uploaded File" in timeline
    assert "filename: engine.pdf" in timeline
    assert "Signed Up" in timeline
    about = page.locator(".staff-side").inner_text()
    assert "Email\nada@example.com" in about
    assert "plan\nfree" in about


def test_catalogue_flags_look_alike_names(staff_page, live_server, screenshot):
    source, _ = source_create(name="App")
    _send(source.id, "ada", "Signed Up", plan="free")
    _send(source.id, "bob", "signed_up", plan="trial")
    process_pending_events()
    page = staff_page

    page.goto(f"{live_server.url}/admin/journeys/eventtype/?similar=yes")
    screenshot("admin-catalogue")

    names = page.locator("#result_list tbody .field-name").all_inner_texts()
    looks_like = page.locator("#result_list tbody .field-looks_like").all_inner_texts()
    assert dict(zip(names, looks_like, strict=True)) == {
        "Signed Up": "signed_up",
        "signed_up": "Signed Up",
    }
