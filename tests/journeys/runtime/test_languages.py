"""Issue 23 (one message, several languages) through the worker: each contact gets their
version, rendered by the one render path; the message's history says which version went
out and why; export → import keeps `locales`; publish, backtest and the versions' diff
carry them; dates follow the contact's language."""

from __future__ import annotations

import copy
import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from channels.delivery.history import message_view
from channels.models import Message
from channels.registry import channel_facts
from journeys.builder.checks import draft_checks
from journeys.builder.diff import change_texts, document_changes
from journeys.builder.typed import parsed_steps
from journeys.core.problems import SpecError
from journeys.run.backtest import backtest, format_backtest
from journeys.run.journeys import journey_export, journey_import, journey_parse

from .conftest import utc
from .test_contact_page_words import staff_client  # noqa: F401 - a fixture

DOC = {
    "format": "stepwise.journey/1", "key": "bonjour", "name": "Bonjour",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "hello", "type": "message", "channel": "email",
         "variants": [{"subject": "Welcome, {{ contact.first_name }}",
                       "body": "Your trial ends on {{ event.ends | date }}.",
                       "locales": {"fr": {"subject": "Bienvenue, {{ contact.first_name }}",
                                          "body": "Fin de l'essai : {{ event.ends | date }}."}}}]},
    ],
}  # fmt: skip


def _doc() -> dict:
    return copy.deepcopy(DOC)


@pytest.fixture
def live(db):
    return journey_import(data=_doc(), publish=True)


def _message(contact) -> Message:
    return Message.objects.get(contact_id=contact.pk)


def test_each_contact_gets_their_version_and_the_history_says_why(
    live,
    make_contact,
    send_event,
    run_worker,
    staff_client,  # noqa: F811
):
    claire = make_contact("claire", locale="fr-CA")
    hans = make_contact("hans", locale="de")
    for contact in (claire, hans):
        send_event(contact, "Signed Up", ends="2026-12-07")
    run_worker()

    french, german = _message(claire), _message(hans)
    assert (french.language, french.language_reason) == ("fr", "French (fr) for locale fr-CA")
    assert (german.language, german.language_reason) == (
        "",
        "the default version (English (en)): no German version",
    )
    sent_fr, sent_de = message_view(message_id=french.pk), message_view(message_id=german.pk)
    assert sent_fr.rendered.subject == "Bienvenue, Claire"
    assert "Fin de l'essai : 7 décembre 2026." in sent_fr.rendered.text
    assert sent_de.rendered.subject == "Welcome, Hans"
    assert "Your trial ends on 7. Dezember 2026." in sent_de.rendered.text  # the contact's dates

    page = staff_client.get(reverse("admin:journeys_contact_change", args=[claire.pk]))
    assert "Language: French (fr) for locale fr-CA" in page.content.decode()
    one = staff_client.get(reverse("admin:channels_message_change", args=[german.pk]))
    assert "The default version (English (en)): no German version" in one.content.decode()


def test_a_message_in_one_language_says_nothing_about_languages(
    db, welcome_doc, make_contact, send_event, run_worker
):
    journey_import(data=welcome_doc, publish=True)
    contact = make_contact("ada", locale="fr")
    send_event(contact, "Signed Up", plan="free")
    run_worker()
    assert (_message(contact).language, _message(contact).language_reason) == ("", "")


def test_export_then_import_keeps_the_versions(live):
    exported = journey_export(key="bonjour")
    assert (
        exported["steps"][0]["variants"][0]["locales"] == DOC["steps"][0]["variants"][0]["locales"]
    )
    out = io.StringIO()
    call_command("export_journey", "bonjour", stdout=out)
    again = json.loads(out.getvalue()) | {"key": "bonjour-again"}
    journey_import(data=again, publish=True)
    assert journey_export(key="bonjour-again")["steps"] == exported["steps"]


def test_publishing_checks_each_version_with_its_channels_rules(db):
    doc = _doc()
    doc["steps"][0]["variants"][0]["locales"]["fr"]["body"] = "Bonjour {{ contact.first_name "
    doc["steps"][0]["variants"][0]["locales"]["de"] = {"preheader": "Hallo", "image": "x"}
    with pytest.raises(SpecError) as raised:
        journey_parse(data=doc)
    problems = {problem.path: problem.message for problem in raised.value.problems}
    french_body = problems["steps[0].variants[0].locales.fr.body"]
    assert "“{{ contact.first_name” can't be read" in french_body
    assert problems["steps[0].variants[0].locales.de.image"] == (
        "There is no such setting here. Remove it."
    )


def test_a_backtest_counts_the_messages_each_version_would_have_sent(
    live, make_contact, send_event
):
    until = utc(2026, 12, 7, 12)
    for name, locale in (("ana", "fr"), ("bea", "fr-BE"), ("cem", "tr"), ("dan", "")):
        send_event(make_contact(name, locale=locale), "Signed Up", at=until - timedelta(days=1))
    spec = journey_parse(data=_doc())

    result = backtest(spec, since=until - timedelta(days=7), until=until)

    assert dict(result.languages) == {"fr": 2, "": 2}
    report = format_backtest(result, spec, source="draft")
    assert report.endswith(
        "Messages in several languages, by the version sent:\n"
        "  French: 2\n  English (the default version): 2"
    )


def test_the_diff_between_two_versions_shows_a_changed_french_text(live):
    changed = _doc()
    versions = changed["steps"][0]["variants"][0]["locales"]
    versions["fr"]["subject"] = "Salut {{ contact.first_name }}"
    versions["de"] = {"subject": "Willkommen"}
    second = journey_import(data=changed, publish=True)
    versions = second.versions.order_by("number")
    texts = change_texts(document_changes(versions[0].spec, versions[1].spec))
    assert texts == [
        "Added the German version of “Hello” (variant A)",
        "Changed the French subject of “Hello” (variant A) from "
        "“Bienvenue, {{ contact.first_name }}” to “Salut {{ contact.first_name }}”",
    ]


def test_the_checks_flag_a_version_missing_a_text_or_using_a_variable_of_its_own(db):
    doc = _doc()
    doc["steps"][0]["variants"][0]["locales"]["es"] = {
        "subject": "Hola {{ contact.traits.apodo | default: 'amigo' }}"
    }
    checks = draft_checks(
        doc,
        parse=lambda data: journey_parse(data=data),
        steps=parsed_steps(doc, channel_facts()),
        recent_events=["Signed Up"],
        known_events=["Signed Up"],
    )
    assert [check.what for check in checks if check.step == "hello"] == [
        "The Spanish version has no text of its own: its readers get the English one.",
        "The Spanish version uses contact.traits.apodo, which the default version does not: "
        "check that its readers have it.",
    ]
