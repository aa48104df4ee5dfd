"""Push notifications through the real pywebpush and google-auth against fake push services
on 127.0.0.1 that verify what they get (tests/fakes/push.py): the VAPID signature, the
decrypted payload, the OAuth bearer token; and what each documented answer does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from channels.delivery.queue import MessageContent
from channels.delivery.sending import messages_send
from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from channels.push_devices import PushDevice, device_register
from journeys.models import Event
from journeys.people.sources import source_create
from journeys.run.privacy import contact_erase, contact_export
from tests.channels.push_fixtures import browser_device
from tests.fakes.push import fcm_error

NOTE = MessageContent(
    subject="{{ contact.first_name }}, your note is shared",
    body="{{ event.properties.filename }} is ready for your team.",
    url="https://notes.example.com/n/42",
)
CHANNEL = "push"


def _phone(contact, token: str, kind: str = PushDevice.Kind.ANDROID):
    return device_register(contact_id=contact.pk, kind=kind, token=token, now=timezone.now())


def test_a_browser_gets_the_rendered_notification_signed_and_encrypted(
    contact, queue, fake_webpush
):
    browser_device(contact, fake_webpush)

    queued = queue(contact, CHANNEL, NOTE)

    message = Message.objects.get(pk=queued.message_id)
    assert fake_webpush.refusals == []
    [payload] = fake_webpush.delivered
    assert payload.pop("track").startswith("https://stepwise.example.com/v1/push-notifications/")
    assert payload == {
        "title": "Ada, your note is shared",
        "body": "q3.pdf is ready for your team.",
        "url": "https://notes.example.com/n/42",
        "message": message.pk,
    }
    assert (message.status, message.to_address) == ("sent", "1 device")


def test_an_app_gets_the_notification_with_the_service_accounts_token(contact, queue, fake_fcm):
    _phone(contact, "android-token")

    queue(contact, CHANNEL, NOTE)

    assert fake_fcm.refusals == []
    [token_request] = [r for r in fake_fcm.requests if r.path == "/token"]
    assert "assertion=" in token_request.body.decode()
    [sent] = fake_fcm.delivered
    assert sent["token"] == "android-token"
    assert sent["notification"] == {
        "title": "Ada, your note is shared",
        "body": "q3.pdf is ready for your team.",
    }
    assert sent["data"]["url"] == "https://notes.example.com/n/42"


def test_the_image_reaches_browsers_and_apps_rendered(contact, queue, fake_webpush, fake_fcm):
    browser_device(contact, fake_webpush)
    _phone(contact, "android-token")
    picture = "https://cdn.example.com/{{ contact.first_name | downcase }}.png"

    queue(contact, CHANNEL, MessageContent(subject="Hi", body="New note", image=picture))

    [payload] = fake_webpush.delivered  # decrypted, as the browser reads it
    assert payload["image"] == "https://cdn.example.com/ada.png"
    [sent] = fake_fcm.delivered
    assert sent["notification"]["image"] == "https://cdn.example.com/ada.png"


def test_three_devices_get_one_delivery_each_and_the_message_counts_once(
    contact, queue, fake_webpush, fake_fcm
):
    browser_device(contact, fake_webpush)
    _phone(contact, "android-token")
    _phone(contact, "ios-token", PushDevice.Kind.IOS)

    queue(contact, CHANNEL, NOTE)

    assert len(fake_webpush.delivered) == 1
    assert sorted(m["token"] for m in fake_fcm.delivered) == ["android-token", "ios-token"]
    message = Message.objects.get(contact=contact)
    assert (message.status, message.to_address) == ("sent", "3 devices")


@pytest.mark.parametrize("status", [404, 410])
def test_a_browser_that_unsubscribed_is_forgotten_and_only_its_delivery_fails(
    contact, queue, fake_webpush, fake_fcm, status
):
    gone = browser_device(contact, fake_webpush)
    _phone(contact, "android-token")
    fake_webpush.then_respond(status, "")

    queue(contact, CHANNEL, NOTE)

    assert not PushDevice.objects.filter(token=gone.endpoint).exists()
    assert len(fake_fcm.delivered) == 1
    assert Message.objects.get(contact=contact).status == "sent"


@pytest.mark.parametrize(
    ("status", "code", "error_code"),
    [(404, "NOT_FOUND", "UNREGISTERED"), (400, "INVALID_ARGUMENT", "INVALID_ARGUMENT")],
)
def test_an_app_token_firebase_reports_gone_is_removed(
    contact, queue, fake_fcm, status, code, error_code
):
    _phone(contact, "old-token")
    fake_fcm.then_respond(status, fcm_error(status, code, error_code))

    queue(contact, CHANNEL, NOTE)

    assert not PushDevice.objects.filter(contact=contact).exists()
    message = Message.objects.get(contact=contact)
    assert message.status == "failed"
    assert error_code in message.status_reason


def test_a_rate_limit_retries_after_retry_after_and_never_notifies_a_device_twice(
    contact, queue, fake_webpush, fake_fcm
):
    browser_device(contact, fake_webpush)
    _phone(contact, "android-token")
    fake_fcm.then_respond(
        429, fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED"), headers={"Retry-After": "900"}
    )
    before = timezone.now()

    queued = queue(contact, CHANNEL, NOTE)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.scheduled_for >= before + timedelta(seconds=900)
    assert len(fake_webpush.delivered) == 1

    messages_send(message_ids=[message.pk], now=message.scheduled_for + timedelta(seconds=1))

    message.refresh_from_db()
    assert message.status == "sent"
    assert len(fake_webpush.delivered) == 1  # the browser was not notified twice
    assert [m["token"] for m in fake_fcm.delivered] == ["android-token"]


def test_a_browser_push_services_rate_limit_waits_for_its_retry_after(contact, queue, fake_webpush):
    browser_device(contact, fake_webpush)
    fake_webpush.then_respond(429, "", headers={"Retry-After": "600"})
    before = timezone.now()

    queued = queue(contact, CHANNEL, NOTE)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.scheduled_for >= before + timedelta(seconds=600)
    assert "429" in message.last_error

    messages_send(message_ids=[message.pk], now=message.scheduled_for + timedelta(seconds=1))

    message.refresh_from_db()
    assert message.status == "sent"
    assert [p["title"] for p in fake_webpush.delivered] == ["Ada, your note is shared"]


def test_turning_push_off_keeps_email(contact, queue, fake_webpush):
    browser_device(contact, fake_webpush)
    subscription_set(contact_id=contact.pk, channel=CHANNEL, state="unsubscribed", reason="asked")

    queue(contact, CHANNEL, NOTE)
    queue(contact, "email", MessageContent(subject="Your note", body="It is shared."))

    statuses = dict(Message.objects.filter(contact=contact).values_list("channel", "status"))
    assert statuses == {CHANNEL: "suppressed", "email": "sent"}
    assert fake_webpush.requests == []
    assert [m.subject for m in mail.outbox] == ["Your note"]


def test_a_push_service_outage_is_retried(contact, queue, fake_webpush):
    browser_device(contact, fake_webpush)
    fake_webpush.then_respond(503, "")

    queued = queue(contact, CHANNEL, NOTE)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert "503" in message.last_error


def test_a_redirect_from_a_push_service_is_not_followed(contact, queue, fake_webpush):
    browser = browser_device(contact, fake_webpush)
    other = fake_webpush.browser()
    fake_webpush.then_respond(307, "", headers={"Location": other.endpoint})

    queue(contact, CHANNEL, NOTE)

    assert [r.path for r in fake_webpush.requests] == [
        browser.endpoint.removeprefix(fake_webpush.url)
    ]
    assert Message.objects.get(contact=contact).status == "failed"


def test_a_contact_without_a_device_is_not_sent_to(contact, queue, fake_webpush):
    queue(contact, CHANNEL, NOTE)

    message = Message.objects.get(contact=contact)
    assert (message.status, message.status_reason) == (
        "suppressed",
        "no device for push notifications",
    )
    assert fake_webpush.requests == []


def test_the_privacy_export_shows_devices_and_erase_removes_them(contact, fake_webpush):
    browser = browser_device(contact, fake_webpush)
    _phone(contact, "android-token")

    exported = contact_export(user_id=contact.user_id)
    contact_erase(contact=contact)

    assert [(d["kind"], d["address"]) for d in exported["push_devices"]] == [
        ("Browser", browser.endpoint),
        ("Android app", "android-token"),
    ]
    assert not PushDevice.objects.exists()


def test_the_service_workers_reports_record_shown_then_clicked_and_the_event(
    make_contact, queue, fake_webpush, client
):
    source, _key = source_create(name="Acme Notes")
    ada = make_contact(user_id="ada", source=source)
    browser_device(ada, fake_webpush)
    queue(ada, CHANNEL, NOTE)
    track = fake_webpush.delivered[0]["track"].removeprefix("https://stepwise.example.com")

    shown = client.post(f"{track}/shown")
    clicked = client.post(f"{track}/clicked")
    forged = client.post(f"{track[:-4]}xxxx/clicked")

    assert (shown.status_code, clicked.status_code, forged.status_code) == (200, 200, 404)
    message = Message.objects.get(contact=ada)
    assert message.status == "clicked"
    event = Event.objects.get(contact=ada)
    assert (event.name, event.properties["url"]) == (
        "Clicked Message Link",
        "https://notes.example.com/n/42",
    )
