"""Issue 23 in the builder: the preview shows a message in any of its languages (tabs by
name), as the chosen contact would get it, through the one render path; a test send goes
out in the language shown."""

from __future__ import annotations

import html

import pytest
from django.core import mail

from channels.models import Message
from channels.tasks import deliver_messages
from journeys.builder.workspace import checks_for
from journeys.run.journeys import journey_import
from tests.journeys.builder.test_canvas import post, save_message

pytestmark = pytest.mark.django_db

DOC = {
    "format": "stepwise.journey/1", "key": "bonjour", "name": "Bonjour",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "hello", "type": "message", "channel": "email",
         "variants": [{"subject": "Welcome, {{ contact.first_name }}", "body": "Hello",
                       "locales": {"fr": {"subject": "Bienvenue, {{ contact.first_name }}"},
                                   "de": {"subject": "Willkommen"}}}]},
    ],
}  # fmt: skip
PREVIEW = "/admin/builder/bonjour/steps/hello/preview/"


def _show(client, **query) -> str:
    return html.unescape(client.get(PREVIEW, query).content.decode())


def test_the_preview_shows_each_language_by_name_and_the_contacts_own(signed_in, ingest):
    journey_import(data=DOC)
    ingest("zoe", ("identify", {"email": "zoe@example.com", "firstName": "Zoé", "locale": "fr-CA"}))

    sample = _show(signed_in)
    assert "Welcome, Ada" in sample
    for name in ("English (the default version)", "French", "German"):
        assert f">{name}</button>" in sample
    assert "Willkommen" in _show(signed_in, language="de")
    as_zoe = _show(signed_in, contact="zoe")
    assert "Bienvenue, Zoé" in as_zoe
    assert 'aria-current="true">French</button>' in as_zoe
    assert "Welcome, Zoé" in _show(signed_in, contact="zoe", language="")

    data = {"variant": "A", "to": "qa@example.org", "contact": "zoe", "language": "fr"}
    said = post(signed_in, PREVIEW.replace("preview/", "test-send/"), data)
    assert "Test of variant A sent to qa@example.org" in said.content.decode()
    deliver_messages(list(Message.objects.filter(status="queued").values_list("pk", flat=True)))
    assert mail.outbox[0].subject == "[Test] Bienvenue, Zoé"


def test_saving_a_message_in_the_editor_keeps_its_languages(signed_in):
    journey = journey_import(data=DOC)
    saved = save_message(signed_in, journey, "hello", subject="Welcome back")
    assert saved.status_code == 200
    journey.refresh_from_db()
    variant = journey.draft_spec["steps"][0]["variants"][0]
    assert variant["subject"] == "Welcome back"
    assert variant["locales"] == DOC["steps"][0]["variants"][0]["locales"]


def test_a_language_is_added_by_name_and_its_texts_saved_beside_the_default(signed_in):
    journey = journey_import(data=DOC)
    page = "/admin/builder/bonjour/steps/hello/languages/"
    shown = html.unescape(signed_in.get(page).content.decode())
    assert '<option value="es">Spanish</option>' in shown
    assert '<option value="fr">' not in shown  # already there: a tab instead
    assert ">French</a>" in shown
    assert ">German</a>" in shown

    adding = html.unescape(signed_in.get(page, {"add": "es"}).content.decode())
    assert "Subject in Spanish" in adding
    assert "English: Welcome, {{ contact.first_name }}" in adding
    journey.refresh_from_db()
    data = {"language": "es", "revision": journey.draft_revision, "A__subject": "Hola",
            "A__body": "Hello"}  # the same as the default: not kept  # fmt: skip
    saved = signed_in.post(page + "save/", data, follow=True)
    assert "Saved the Spanish version of “Hello”." in html.unescape(saved.content.decode())
    journey.refresh_from_db()
    locales = journey.draft_spec["steps"][0]["variants"][0]["locales"]
    assert locales["es"] == {"subject": "Hola"}
    assert locales["fr"] == DOC["steps"][0]["variants"][0]["locales"]["fr"]

    journey.refresh_from_db()
    data = {"language": "de", "revision": journey.draft_revision, "A__subject": ""}
    signed_in.post(page + "save/", data)
    journey.refresh_from_db()
    assert "de" not in journey.draft_spec["steps"][0]["variants"][0]["locales"]


def test_the_checks_count_the_recent_people_whose_language_has_no_version(signed_in, ingest):
    journey = journey_import(data=DOC)
    people = [("ana", "es"), ("ben", "es-MX"), ("cai", "fr-CA"), ("dee", "de"), ("eli", "")]
    for user_id, locale in people:
        traits = {"email": f"{user_id}@example.com"} | ({"locale": locale} if locale else {})
        ingest(user_id, ("identify", traits), ("Signed Up", {}))
    checks = [check.what for check in checks_for(journey) if check.step == "hello"]
    assert (
        "2 of the 5 people who did “Signed Up” lately speak Spanish: they will get English."
        in checks
    )
    assert not [text for text in checks if "speak French" in text or "speak German" in text]
