from __future__ import annotations

import pytest

from channels.delivery.queue import MessageContent, channel_allows
from channels.models import Message
from journeys.models import Subscription
from tests.channels.support import history, load_fixture

HELLO = MessageContent(subject="Hello", body="Hi {{ contact.first_name }}")


@pytest.fixture
def sent(contact, queue, fake_postmark) -> Message:
    queued = queue(contact, "email", HELLO)
    return Message.objects.get(pk=queued.message_id)


def postmark_event(name: str, message: Message) -> dict:
    payload = load_fixture(f"postmark/{name}.json")
    payload["MessageID"] = message.provider_id
    payload["Metadata"] = {"message_id": str(message.pk)}
    return payload


def test_delivery_open_and_click_move_the_status_forward(sent, post_postmark):
    responses = [
        post_postmark(postmark_event(name, sent)).status_code
        for name in ("delivery", "open", "click")
    ]

    message = Message.objects.get(pk=sent.pk)
    assert responses == [200, 200, 200]
    assert message.status == "clicked"
    assert message.delivered_at.isoformat() == "2026-11-25T16:33:54.907025+00:00"
    assert message.opened_at.isoformat() == "2026-11-25T16:50:54.907025+00:00"
    assert message.clicked_at.isoformat() == "2026-11-25T17:00:54.907025+00:00"
    assert [row[1] for row in history(sent.pk)] == [
        "queued",
        "sent",
        "delivered",
        "opened",
        "clicked",
    ]


def test_a_late_delivery_is_recorded_but_does_not_move_the_status_back(sent, post_postmark):
    post_postmark(postmark_event("open", sent))
    post_postmark(postmark_event("delivery", sent))

    message = Message.objects.get(pk=sent.pk)
    assert message.status == "opened"
    assert history(sent.pk)[-2:] == [("sent", "opened", True), ("opened", "delivered", False)]


def test_an_event_without_our_metadata_is_matched_by_the_provider_id(sent, post_postmark):
    payload = postmark_event("delivery", sent)
    payload["Metadata"] = {}

    post_postmark(payload)

    assert Message.objects.get(pk=sent.pk).status == "delivered"


def test_a_hard_bounce_stops_email_to_the_contact(sent, contact, post_postmark):
    post_postmark(postmark_event("bounce", sent))

    subscription = Subscription.objects.get(contact=contact, channel="email")
    assert Message.objects.get(pk=sent.pk).status == "bounced"
    assert (subscription.state, subscription.reason) == (
        "bounced",
        "Postmark bounced: The server was unable to deliver your message "
        "(ex: unknown user, mailbox not found).",
    )
    assert channel_allows(contact.pk, "email")[0] is False


def test_a_spam_complaint_stops_email(sent, contact, post_postmark):
    post_postmark(postmark_event("spam_complaint", sent))

    assert Message.objects.get(pk=sent.pk).status == "complained"
    assert Subscription.objects.get(contact=contact, channel="email").state == "complained"


def test_an_unsubscribe_at_postmark_stops_email(sent, contact, post_postmark, queue, fake_postmark):
    post_postmark(postmark_event("subscription_change", sent))

    later = queue(contact, "email", HELLO)

    assert Message.objects.get(pk=sent.pk).status == "unsubscribed"
    assert later.status == "suppressed"
    assert later.suppressed_reason.startswith("email unsubscribed: Postmark unsubscribed 20")
    assert len(fake_postmark.requests) == 1


def test_a_webhook_without_the_secret_is_rejected(sent, post_postmark):
    response = post_postmark(postmark_event("bounce", sent), authorization="Basic d3Jvbmc6d3Jvbmc=")

    assert response.status_code == 400
    assert Message.objects.get(pk=sent.pk).status == "sent"
    assert Subscription.objects.count() == 0
