from __future__ import annotations

from channels.delivery.queue import MessageContent
from channels.models import Message
from journeys.models import Contact, Source, Subscription
from tests.channels.support import TWILIO_SID, history
from tests.fakes.http import twilio_error

REMINDER = MessageContent(body="Hi {{ contact.first_name }}, {{ event.filename }} is ready.")


def test_sms_goes_through_twilio_with_a_status_callback(contact, queue, fake_twilio):
    queued = queue(contact, "sms", REMINDER)

    message = Message.objects.get(pk=queued.message_id)
    [request] = fake_twilio.requests
    assert request.path == f"/2010-04-01/Accounts/{TWILIO_SID}/Messages.json"
    assert request.form() == {
        "To": "+15558675310",
        "From": "+15017122661",
        "Body": "Hi Ada, q3.pdf is ready.\n\nReply STOP to stop.",  # the first text says so
        "StatusCallback": (
            f"https://stepwise.example.com/webhooks/twilio/status/?message={message.pk}"
        ),
    }
    assert (message.status, message.provider_id) == ("sent", "SM" + "0" * 31 + "1")
    assert message.body == "Hi Ada, q3.pdf is ready.\n\nReply STOP to stop."
    assert history(message.pk) == [("", "queued", True), ("queued", "sent", True)]


def test_a_messaging_service_sid_replaces_the_from_number(contact, queue, fake_twilio, settings):
    settings.TWILIO_MESSAGING_SERVICE_SID = "MG" + "1" * 32

    queue(contact, "sms", REMINDER)

    form = fake_twilio.requests[0].form()
    assert form["MessagingServiceSid"] == "MG" + "1" * 32
    assert "From" not in form


def test_twilio_rate_limit_is_retried(contact, queue, fake_twilio):
    fake_twilio.then_respond(429, twilio_error(429, 20429, "Too Many Requests"))

    queued = queue(contact, "sms", REMINDER)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert (
        message.last_error == "Twilio 429 error 20429: Unable to create record: Too Many Requests"
    )


def test_a_recipient_who_opted_out_at_twilio_is_unsubscribed(contact, queue, fake_twilio):
    fake_twilio.then_respond(
        400, twilio_error(400, 21610, "Attempt to send to unsubscribed recipient")
    )

    queued = queue(contact, "sms", REMINDER)
    later = queue(contact, "sms", REMINDER)

    message = Message.objects.get(pk=queued.message_id)
    subscription = Subscription.objects.get(contact=contact, channel="sms")
    assert (message.status, message.attempts) == ("failed", 1)
    assert message.last_error == (
        "Twilio 400 error 21610: Unable to create record: Attempt to send to unsubscribed recipient"
    )
    assert subscription.state == "unsubscribed"
    assert later.status == "suppressed"
    assert len(fake_twilio.requests) == 1


def test_other_client_errors_fail_without_retry(contact, queue, fake_twilio):
    fake_twilio.then_respond(400, twilio_error(400, 21211, "Invalid 'To' Phone Number"))

    queued = queue(contact, "sms", REMINDER)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.last_error) == (
        "failed",
        "Twilio 400 error 21211: Unable to create record: Invalid 'To' Phone Number",
    )
    assert Subscription.objects.count() == 0


def test_no_phone_number_suppresses(make_contact, queue, fake_twilio):
    contact = make_contact(phone="")

    queued = queue(contact, "sms", REMINDER)

    assert (queued.status, queued.suppressed_reason) == ("suppressed", "no phone number")
    assert fake_twilio.requests == []


def test_sms_without_twilio_settings_is_suppressed(contact, queue):
    queued = queue(contact, "sms", REMINDER)

    assert (queued.status, queued.suppressed_reason) == ("suppressed", "channel not configured")


def test_only_the_first_text_says_how_to_stop_in_the_sources_words(
    make_contact, make_source, queue, fake_twilio
):
    source, _ = make_source("Acme")
    Source.objects.filter(pk=source.pk).update(sms_stop_text="Text STOP to opt out.")
    contact = make_contact(source=source)
    queue(contact, "sms", MessageContent(body="One."))
    queue(contact, "sms", MessageContent(body="Two."))
    assert [request.form()["Body"] for request in fake_twilio.requests] == [
        "One.\n\nText STOP to opt out.",
        "Two.",
    ]


def test_the_first_text_says_how_to_stop_in_the_persons_language(contact, queue, fake_twilio):
    Contact.objects.filter(pk=contact.pk).update(locale="fr-FR")
    contact.refresh_from_db()
    queue(contact, "sms", MessageContent(body="Bonjour."))
    [request] = fake_twilio.requests
    assert request.form()["Body"] == "Bonjour.\n\nRépondez STOP pour ne plus en recevoir."
