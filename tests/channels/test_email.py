from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels.delivery.queue import MessageContent
from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from channels.tasks import deliver_messages, send_due_messages
from channels.web.unsubscribe import make_token
from journeys.models import Subscription
from tests.channels.support import NOW, history

WELCOME = MessageContent(
    subject="Welcome, {{ contact.first_name }}",
    preheader="Your {{ event.filename }} is ready",
    body="Hi **{{ contact.first_name }}**,\n\nWe got {{ event.properties.filename }}.",
)


def test_email_goes_through_postmark_with_metadata_and_one_click_headers(
    contact, queue, fake_postmark
):
    queued = queue(contact, "email", WELCOME)

    message = Message.objects.get(pk=queued.message_id)
    one_click_url = f"https://stepwise.example.com/u/{make_token(message_id=message.pk)}/"
    [request] = fake_postmark.requests
    sent = request.json()
    headers = {h["Name"]: h["Value"] for h in sent["Headers"]}
    assert request.path == "/email"
    assert request.headers["x-postmark-server-token"] == "postmark-server-token"
    assert sent["To"] == "ada@example.com"
    assert sent["From"] == "Stepwise <hello@stepwise.example.com>"
    assert sent["ReplyTo"] == "support@stepwise.example.com"
    assert sent["Subject"] == "Welcome, Ada"
    assert sent["Metadata"] == {"message_id": str(message.pk)}
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert headers["List-Unsubscribe"] == f"<{one_click_url}>"
    assert len(headers["List-Unsubscribe"]) < 70
    assert "<p>Hi <strong>Ada</strong>,</p>" in sent["HtmlBody"]
    assert "Your q3.pdf is ready" in sent["HtmlBody"]
    assert 'href="https://stepwise.example.com/unsubscribe/' in sent["HtmlBody"]
    assert sent["TextBody"].startswith("Hi **Ada**,\n\nWe got q3.pdf.\n")
    assert "Unsubscribe or manage your email preferences: https://stepwise" in sent["TextBody"]
    assert (queued.status, message.status, message.attempts) == ("queued", "sent", 1)
    assert message.provider_id == "00000000-0000-0000-0000-000000000001"
    assert message.subject == "Welcome, Ada"
    assert history(message.pk) == [("", "queued", True), ("queued", "sent", True)]


def test_trait_values_are_html_escaped_in_the_html_part_only(make_contact, queue, fake_postmark):
    contact = make_contact(first_name='<img src=x onerror="alert(1)">')

    queue(contact, "email", WELCOME)

    sent = fake_postmark.requests[0].json()
    assert "<img" not in sent["HtmlBody"]
    assert '<strong>&lt;img src=x onerror="alert(1)"&gt;</strong>' in sent["HtmlBody"]
    assert sent["TextBody"].startswith('Hi **<img src=x onerror="alert(1)">**')


def test_an_opted_out_contact_gets_a_suppressed_message_and_no_email(contact, queue, fake_postmark):
    subscription_set(
        contact_id=contact.pk,
        channel="email",
        state="unsubscribed",
        reason="one-click unsubscribe",
        now=NOW,
    )

    queued = queue(contact, "email", WELCOME)

    assert queued.status == "suppressed"
    assert queued.suppressed_reason == "email unsubscribed: one-click unsubscribe 2026-11-25"
    assert fake_postmark.requests == []
    assert history(queued.message_id) == [("", "suppressed", True)]


def test_a_switched_off_channel_suppresses(contact, queue, fake_postmark, settings):
    settings.CHANNELS_ENABLED = ["sms"]

    queued = queue(contact, "email", WELCOME)

    assert (queued.status, queued.suppressed_reason) == ("suppressed", "channel disabled")
    assert fake_postmark.requests == []


def test_eligibility_is_checked_again_at_send_time(contact, queue, fake_postmark, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    queued = queue(contact, "email", WELCOME, now=NOW)
    subscription_set(
        contact_id=contact.pk, channel="email", state="bounced", reason="hard", now=NOW
    )

    send_due_messages(now=queued.scheduled_for)

    message = Message.objects.get(pk=queued.message_id)
    assert queued.deferred_reason == "quiet_hours"
    assert (message.status, message.status_reason) == (
        "suppressed",
        "email bounced: hard 2026-11-25",
    )
    assert fake_postmark.requests == []


def test_a_server_error_is_retried_with_backoff_then_sent(contact, queue, fake_postmark):
    fake_postmark.then_respond(503, {"ErrorCode": 100, "Message": "Maintenance"})
    start = timezone.now()

    queued = queue(contact, "email", WELCOME)
    waiting = Message.objects.get(pk=queued.message_id)
    send_due_messages(now=waiting.scheduled_for - timedelta(seconds=1))
    send_due_messages(now=waiting.scheduled_for)

    message = Message.objects.get(pk=queued.message_id)
    assert 59 <= (waiting.scheduled_for - start).total_seconds() <= 61
    assert (waiting.status, waiting.attempts) == ("queued", 1)
    assert "503" in waiting.last_error
    assert (message.status, message.attempts, message.last_error) == ("sent", 2, "")
    assert len(fake_postmark.requests) == 2
    assert [row[1] for row in history(message.pk)] == ["queued", "queued", "sent"]


def test_transient_failures_stop_at_the_attempt_limit(contact, queue, fake_postmark):
    for _ in range(3):
        fake_postmark.then_respond(429, {"ErrorCode": 429, "Message": "Rate limit exceeded"})

    queued = queue(contact, "email", WELCOME)
    first = Message.objects.get(pk=queued.message_id)
    send_due_messages(now=first.scheduled_for)
    second = Message.objects.get(pk=queued.message_id)
    send_due_messages(now=second.scheduled_for)

    message = Message.objects.get(pk=queued.message_id)
    assert (second.scheduled_for - first.scheduled_for).total_seconds() >= 119
    assert (message.status, message.attempts) == ("failed", 3)
    assert message.last_error.startswith("gave up after 3 attempts: ")
    assert "Rate limit exceeded" in message.last_error
    assert len(fake_postmark.requests) == 3


def test_a_timeout_is_transient(contact, queue, fake_postmark, settings):
    settings.ANYMAIL = {**settings.ANYMAIL, "REQUESTS_TIMEOUT": 0.3}
    fake_postmark.then_respond(200, {"ErrorCode": 0, "Message": "late"}, delay=1.0)

    queued = queue(contact, "email", WELCOME)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "Read timed out" in message.last_error


def test_a_client_error_fails_at_once_with_the_providers_words(contact, queue, fake_postmark):
    fake_postmark.then_respond(
        422, {"ErrorCode": 300, "Message": "Invalid 'To' address: 'ada@example.com'."}
    )

    queued = queue(contact, "email", WELCOME)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("failed", 1)
    assert "Invalid 'To' address" in message.last_error
    assert len(fake_postmark.requests) == 1


def test_an_accepted_message_is_never_sent_again(contact, queue, fake_postmark):
    queued = queue(contact, "email", WELCOME)

    again = deliver_messages([queued.message_id])
    swept = send_due_messages(now=timezone.now() + timedelta(days=1))

    assert (again, swept) == ({}, 0)  # left alone: nothing claimed, nothing sent
    assert len(fake_postmark.requests) == 1


def test_a_claimed_message_is_not_sent_by_a_second_worker(contact, queue, fake_postmark, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    queued = queue(contact, "email", WELCOME, now=NOW)
    Message.objects.filter(pk=queued.message_id).update(
        claimed_until=queued.scheduled_for + timedelta(minutes=5)
    )

    result = deliver_messages([queued.message_id], now=queued.scheduled_for)

    assert result == {}  # left alone: another worker holds it
    assert fake_postmark.requests == []


def test_an_interrupted_send_is_failed_not_resent(contact, queue, fake_postmark, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    queued = queue(contact, "email", WELCOME, now=NOW)
    Message.objects.filter(pk=queued.message_id).update(
        claimed_until=queued.scheduled_for, attempts=1
    )

    send_due_messages(now=queued.scheduled_for + timedelta(minutes=1))

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert message.last_error.startswith("the send attempt was interrupted")
    assert fake_postmark.requests == []


def test_one_message_per_step_visit(contact, queue, fake_postmark):
    first = queue(contact, "email", WELCOME, step_visit_id=77, variant_id=5, journey_id=3)
    second = queue(contact, "email", WELCOME, step_visit_id=77, variant_id=5, journey_id=3)

    assert second.message_id == first.message_id
    assert second.status == "sent"
    assert Message.objects.filter(step_visit_id=77).count() == 1
    assert len(fake_postmark.requests) == 1


def test_a_missing_trait_without_default_fails_in_plain_words(contact, queue, fake_postmark):
    content = MessageContent(subject="Hi", body="Your plan: {{ contact.traits.company }}")

    queued = queue(contact, "email", content)

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert message.last_error == (
        "Text, line 1: This person has no “company”. Add a fallback, "
        'for example {{ contact.traits.company | default: "there" }}.'
    )
    assert fake_postmark.requests == []


def test_no_email_address_suppresses(make_contact, queue, fake_postmark):
    contact = make_contact(email="")

    queued = queue(contact, "email", WELCOME)

    assert (queued.status, queued.suppressed_reason) == ("suppressed", "no email address")
    assert Subscription.objects.count() == 0
