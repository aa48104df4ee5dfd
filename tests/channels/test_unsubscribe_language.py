"""The unsubscribe and preferences pages speak their contact's language (issue 23):
French for a French (or Canadian French) contact, English otherwise; the POSTs still work.
Needs the French catalogue compiled (`make install`)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from channels.delivery.queue import MessageContent
from journeys.models import Subscription

HELLO = MessageContent(subject="Bonjour", body="Salut")


@pytest.fixture
def email_to(make_contact, queue, fake_postmark):
    """The preferences page's path and the one-click path of an email sent to a contact."""

    def send(locale: str) -> tuple[object, str, str]:
        contact = make_contact(locale=locale)
        queue(contact, "email", HELLO)
        sent = fake_postmark.requests[-1].json()
        page = re.search(
            r'href="https://stepwise.example.com(/unsubscribe/[^"]+)"', sent["HtmlBody"]
        )
        header = {h["Name"]: h["Value"] for h in sent["Headers"]}["List-Unsubscribe"]
        one_click = header.removeprefix("<https://stepwise.example.com").removesuffix(">")
        return contact, page.group(1), one_click

    return send


def text_of(response) -> str:
    return unescape(response.content.decode())


def test_a_french_contacts_preferences_page_is_in_french(email_to, client):
    _, page, _ = email_to("fr-CA")

    shown = text_of(client.get(page))

    assert '<html lang="fr">' in shown
    assert "<h1>Vos préférences</h1>" in shown
    assert "Se désabonner de tous ces messages : e-mails" in shown
    assert "Ou choisissez ce que vous recevez" in shown
    assert "Textos (SMS)" in shown
    assert "Enregistrer mes préférences" in shown
    assert "Unsubscribe" not in shown
    assert "Save preferences" not in shown


def test_a_french_contact_unsubscribes_and_is_told_in_french(email_to, client):
    contact, page, _ = email_to("fr")

    shown = text_of(client.post(page, {"action": "unsubscribe-email"}))

    assert Subscription.objects.get(contact=contact, channel="email").state == "unsubscribed"
    assert "Enregistré. Merci." in shown
    assert "E-mails <small>(désabonné)</small>" in shown


def test_a_french_contacts_one_click_answer_is_in_french(email_to, client):
    contact, _, one_click = email_to("fr-FR")

    response = client.post(
        one_click,
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    assert response.content.decode() == "Vous êtes désabonné."
    assert Subscription.objects.get(contact=contact, channel="email").state == "unsubscribed"


@pytest.mark.parametrize("locale", ["en-GB", "", "de-DE"])
def test_other_contacts_see_english(email_to, client, locale):
    contact, page, _ = email_to(locale)

    shown = text_of(client.post(page, {"action": "save", "email": "on"}))

    assert '<html lang="en">' in shown
    assert "<h1>Your preferences</h1>" in shown
    assert "Saved. Thank you." in shown
    assert "Text messages (SMS) <small>(unsubscribed)</small>" in shown
    assert Subscription.objects.get(contact=contact, channel="sms").state == "unsubscribed"
