"""Personalising a message without writing template syntax: the picker beside a text
offers the awaited event's properties with an example, writes the value with what to
show when it is empty, and the preview shows it as the contact will get it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone
from playwright.sync_api import expect

from journeys.models import Contact, Event
from journeys.people.catalogue import catalogue_record
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DOC = {
    "format": "stepwise.journey/1",
    "key": "uploads",
    "name": "First upload",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "Wait", "type": "wait_for_event", "event": "Uploaded File", "timeout": "P2D"},
        {"id": "Nudge", "type": "message", "channel": "in_app",
         "variants": [{"name": "A", "body": "Your file is ready: "}]},
    ],
}  # fmt: skip


def _people() -> None:
    source, _key = source_create(name="Acme Notes")
    now = timezone.now()
    maya = Contact.objects.create(
        user_id="maya", source=source, first_name="Maya", email="maya@example.com",
        traits={"firstName": "Maya", "plan": "free"}, first_seen_at=now, last_seen_at=now,
    )  # fmt: skip
    sent = [
        Event.objects.create(
            source=source,
            contact=maya,
            name=name,
            properties=properties,
            message_id=name,
            timestamp=now + timedelta(minutes=minutes),
            received_at=now,
        )  # fmt: skip
        for name, properties, minutes in [
            ("Signed Up", {"plan": "free"}, 0),
            ("Uploaded File", {"link": "https://acme.test/f/1"}, 5),
        ]
    ]
    with transaction.atomic():  # as the worker records them: rows locked
        catalogue_record(events=sent, identified_contact_ids={maya.pk})


def test_a_value_from_the_awaited_event_with_a_fallback_is_inserted_and_previewed(
    editor_page, live_server, axe, shot
):
    _people()
    journey_import(data=DOC)
    page = editor_page
    page.goto(f"{live_server.url}/admin/builder/uploads/")
    page.click("#card-Nudge .card-name a")
    body = page.locator("#id_variant-0-body")
    body.click()
    body.press("End")

    picker = page.locator("#id_variant-0-body_personalise")
    picker.get_by_text("Personalise").focus()
    page.keyboard.press("Enter")  # a disclosure: it opens from the keyboard
    choices = picker.get_by_label("Show").locator("option").all_inner_texts()
    picker.get_by_label("Show").select_option(
        label="from Uploaded File: Link (for example “https://acme.test/f/1”) · not everyone has it"
    )
    picker.get_by_label("When empty, write").fill("your dashboard")
    picker.get_by_role("button", name="Insert where the cursor is").click()

    assert body.input_value() == (
        'Your file is ready: {{ events["Uploaded File"].link | default: "your dashboard" }}'
    )
    assert "First name (for example “Maya”)" in choices
    assert "from Signed Up: Plan (for example “free”)" in choices
    assert [c for c in choices if c.startswith("First name")] == ["First name (for example “Maya”)"]
    page.get_by_role("button", name="Save").click()
    page.wait_for_selector("#editor .editor-message:has-text('Saved.')")
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    assert "Your file is ready: https://acme.test/f/1" in page.inner_text("#preview")
    picker = page.locator("#id_variant-0-body_personalise")
    picker.get_by_text("Personalise").click()
    assert axe(page, context="#editor") == []
    shot(page, "personalise", selector="#editor")
    assert page.js_errors == []
    # Nothing in flight when the test ends: the live server's next test starts clean.
    expect(page.locator(".htmx-request, .htmx-settling, .htmx-swapping")).to_have_count(0)
