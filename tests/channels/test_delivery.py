from __future__ import annotations

import json

import pytest
from django.core import mail

from channels.delivery.queue import (
    MessageContent,
    channel_allows,
    contact_messages_move,
    preview_context,
    render_preview,
    team_notify,
)
from channels.delivery.queue import (
    test_send as staff_test_send,
)
from channels.delivery.subscriptions import subscription_set
from channels.models import Message, SubscriptionChange
from tests.channels.support import NOW

WELCOME = MessageContent(subject="Welcome {{ contact.first_name }}", body="Hi {{ contact.plan }}")


def test_a_test_send_goes_to_the_staff_address_rendered_for_the_contact(
    contact, fake_postmark, django_capture_on_commit_callbacks
):
    subscription_set(contact_id=contact.pk, channel="email", state="unsubscribed", reason="x")

    with django_capture_on_commit_callbacks(execute=True):
        queued = staff_test_send(
            channel="email", content=WELCOME, contact_id=contact.pk, to_address="me@staff.test"
        )

    message = Message.objects.get(pk=queued.message_id)
    sent = fake_postmark.requests[0].json()
    assert (sent["To"], sent["Subject"]) == ("me@staff.test", "[Test] Welcome Ada")
    assert "Hi pro" in sent["TextBody"]
    assert "https://stepwise.example.com/unsubscribe/test/" in sent["TextBody"]
    assert "Headers" not in sent
    assert (message.is_test, message.step_visit_id, message.status) == (True, None, "sent")


def test_a_test_send_on_a_switched_off_channel_is_suppressed(
    contact, settings, django_capture_on_commit_callbacks
):
    settings.CHANNELS_ENABLED = ["email"]

    with django_capture_on_commit_callbacks(execute=True):
        queued = staff_test_send(
            channel="sms",
            content=MessageContent(body="x"),
            contact_id=contact.pk,
            to_address="+15550001111",
        )

    assert (queued.status, queued.suppressed_reason) == ("suppressed", "channel disabled")


@pytest.mark.parametrize(
    ("channel", "address"), [("email", "me@"), ("sms", "0612345678"), ("webhook", "x.test")]
)
def test_a_test_send_needs_a_valid_address(channel, address, contact):
    with pytest.raises(ValueError, match="is not"):
        staff_test_send(
            channel=channel,
            content=MessageContent(body="x"),
            contact_id=contact.pk,
            to_address=address,
        )

    assert Message.objects.count() == 0


def test_channel_allows_explains_why_not(contact, settings):
    subscription_set(
        contact_id=contact.pk, channel="email", state="complained", reason="spam report", now=NOW
    )
    settings.CHANNELS_ENABLED = ["email", "in_app"]

    assert channel_allows(contact.pk, "email") == (
        False,
        "email complained: spam report 2026-11-25",
    )
    assert channel_allows(contact.pk, "sms") == (False, "channel disabled")
    assert channel_allows(contact.pk, "in_app") == (True, "")


def test_preview_as_a_contact(contact):
    context = preview_context(contact_id=contact.pk, event={"properties": {"filename": "a.pdf"}})

    preview = render_preview("email", WELCOME, context)

    assert preview.problems == ()
    assert preview.subject == "Welcome Ada"
    assert "https://example.invalid/unsubscribe/preview/" in preview.text


def test_team_notify_posts_slack_compatible_json(receiver, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team_notify(target=receiver.url.replace("127.0.0.1", "localhost") + "/slack", text="Hi")

    [request] = receiver.requests
    assert json.loads(request.body) == {"text": "Hi"}


def test_team_notify_emails_an_address(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        team_notify(target="team@stepwise.example.com", text="Ada converted")

    [email] = mail.outbox
    assert (email.to, email.subject, email.body) == (
        ["team@stepwise.example.com"],
        "Ada converted",
        "Ada converted",
    )


@pytest.mark.parametrize("target", ["http://example.com/hook", "not an address", "ftp://x.test"])
def test_team_notify_refuses_other_targets(target, db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(ValueError, match="neither an email address nor an https URL"):
            team_notify(target=target, text="x")

    assert callbacks == []


def test_a_merged_contact_keeps_its_messages_and_subscription_history(
    make_contact, queue, fake_postmark
):
    source, into = make_contact(user_id="anon"), make_contact(user_id="known")
    queued = queue(source, "email", WELCOME)
    subscription_set(contact_id=source.pk, channel="sms", state="unsubscribed", reason="STOP")

    contact_messages_move(source_id=source.pk, into_id=into.pk)
    source.delete()

    assert Message.objects.get(pk=queued.message_id).contact_id == into.pk
    assert list(SubscriptionChange.objects.values_list("contact_id", "to_state")) == [
        (into.pk, "unsubscribed")
    ]
