from __future__ import annotations

import re
from email import message_from_string
from email import policy as email_policy

import pytest
from django.core import mail

from channels.delivery.queue import MessageContent
from channels.delivery.subscriptions import subscription_set
from channels.models import Message, SubscriptionChange
from channels.web.unsubscribe import make_token
from journeys.models import Subscription

HELLO = MessageContent(subject="Hello", body="Hi")


@pytest.fixture
def sent_email(contact, queue, fake_postmark) -> dict:
    queue(contact, "email", HELLO)
    return fake_postmark.requests[0].json()


def _one_click_path(sent_email: dict) -> str:
    header = {h["Name"]: h["Value"] for h in sent_email["Headers"]}["List-Unsubscribe"]
    return header.removeprefix("<https://stepwise.example.com").removesuffix(">")


def _page_path(sent_email: dict) -> str:
    return re.search(
        r'href="https://stepwise.example.com(/unsubscribe/[^"]+)"', sent_email["HtmlBody"]
    ).group(1)


def test_one_click_unsubscribe_works_without_a_csrf_token(sent_email, contact, client):
    response = client.post(
        _one_click_path(sent_email),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )

    subscription = Subscription.objects.get(contact=contact, channel="email")
    assert response.status_code == 200
    assert (subscription.state, subscription.reason) == ("unsubscribed", "one-click unsubscribe")
    assert Message.objects.get().status == "unsubscribed"
    assert list(SubscriptionChange.objects.values_list("from_state", "to_state")) == [
        ("subscribed", "unsubscribed")
    ]


def test_the_page_shows_preferences_and_a_get_changes_nothing(sent_email, client):
    response = client.get(_page_path(sent_email))

    assert response.status_code == 200
    assert b"Unsubscribe from all emails" in response.content
    assert b'name="sms" checked' in response.content
    assert Subscription.objects.count() == 0


def test_the_page_unsubscribes_from_email(sent_email, contact, client):
    response = client.post(_page_path(sent_email), {"action": "unsubscribe-email"})

    assert response.status_code == 200
    assert Subscription.objects.get(contact=contact, channel="email").state == "unsubscribed"


def test_the_page_saves_preferences_per_channel(sent_email, contact, client):
    client.post(_page_path(sent_email), {"action": "save", "email": "on", "in_app": "on"})

    states = dict(Subscription.objects.filter(contact=contact).values_list("channel", "state"))
    assert states == {"sms": "unsubscribed"}
    assert SubscriptionChange.objects.count() == 1


def test_saving_preferences_keeps_a_bounce_unless_the_person_ticks_it(sent_email, contact, client):
    subscription_set(contact_id=contact.pk, channel="email", state="bounced", reason="hard")

    client.post(_page_path(sent_email), {"action": "save", "sms": "on", "in_app": "on"})

    assert Subscription.objects.get(contact=contact, channel="email").state == "bounced"


def test_a_tampered_link_is_refused(sent_email, client):
    path = _page_path(sent_email)

    page = client.get(path[:-3] + "xx/")
    one_click = client.post(_one_click_path(sent_email)[:-3] + "xx/")

    assert (page.status_code, one_click.status_code) == (400, 400)
    assert Subscription.objects.count() == 0


def test_opening_the_one_click_url_in_a_browser_shows_the_page(sent_email, client):
    response = client.get(_one_click_path(sent_email))

    assert response.status_code == 200
    assert b"Unsubscribe from all emails" in response.content
    assert Subscription.objects.count() == 0


def test_the_list_unsubscribe_header_survives_mime_generation(contact, queue, settings):
    """Python's email package turns an over-long header URL into encoded-words."""
    queued = queue(contact, "email", HELLO)

    [email] = mail.outbox
    raw = email.message().as_string()
    parsed = message_from_string(raw, policy=email_policy.default)
    token = make_token(message_id=queued.message_id)
    assert "=?utf-8?" not in raw
    assert parsed["List-Unsubscribe"].strip() == f"<https://stepwise.example.com/u/{token}/>"
