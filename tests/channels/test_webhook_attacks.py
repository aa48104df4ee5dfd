"""Issue 12: forged provider webhooks are not believed, odd input is a 4xx, and a repeated
event is applied once. Live server; Twilio's own RequestValidator signs."""

from __future__ import annotations

import base64
import json
from io import StringIO

import pytest
import requests
from django.core.management import call_command
from twilio.request_validator import RequestValidator

from channels.delivery.queue import MessageContent
from channels.models import Message, MessageStatusChange
from journeys.models import Subscription
from tests.channels.support import PUBLIC_URL, TWILIO_TOKEN, WEBHOOK_SECRET, load_fixture

pytestmark = pytest.mark.django_db(transaction=True)
POSTMARK_PATH = "/webhooks/anymail/postmark/tracking/"
HELLO = MessageContent(subject="Hello", body="Hi {{ contact.first_name }}")
BASIC = {"Authorization": "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()}


@pytest.fixture
def email(contact, queue, fake_postmark) -> Message:
    return Message.objects.get(pk=queue(contact, "email", HELLO).message_id)


def _complaint(message: Message) -> dict:
    payload = load_fixture("postmark/spam_complaint.json")
    payload["MessageID"] = message.provider_id
    payload["Metadata"] = {"message_id": str(message.pk)}
    return payload


def _twilio(live_server, path: str, fields: dict[str, str], token: str = TWILIO_TOKEN):
    signature = RequestValidator(token).compute_signature(PUBLIC_URL + path, fields)
    return requests.post(
        live_server.url + path, data=fields, headers={"X-Twilio-Signature": signature}, timeout=5
    )


def test_without_a_webhook_secret_anymail_webhooks_refuse_everything(live_server, email, settings):
    settings.ANYMAIL = {k: v for k, v in settings.ANYMAIL.items() if k != "WEBHOOK_SECRET"}

    response = requests.post(live_server.url + POSTMARK_PATH, json=_complaint(email), timeout=5)

    assert response.status_code == 403
    assert not Subscription.objects.filter(contact=email.contact, channel="email").exists()
    assert Message.objects.get(pk=email.pk).status == "sent"


def test_without_an_auth_token_twilio_webhooks_refuse_what_the_empty_key_signs(
    live_server, contact, settings
):
    settings.TWILIO_AUTH_TOKEN = ""
    stop = load_fixture("twilio/inbound_stop.json")

    response = _twilio(live_server, "/webhooks/twilio/inbound/", stop, token="")

    assert response.status_code == 403
    assert not Subscription.objects.filter(contact=contact, channel="sms").exists()


def test_a_twilio_status_callback_cannot_touch_an_email(live_server, email, fake_twilio):
    fields = load_fixture("twilio/status_undelivered.json")

    response = _twilio(live_server, f"/webhooks/twilio/status/?message={email.pk}", fields)

    assert response.status_code == 204
    assert Message.objects.get(pk=email.pk).status == "sent"


def test_a_repeated_provider_event_is_applied_once(live_server, email):
    bounce = load_fixture("postmark/bounce.json")
    bounce["MessageID"], bounce["Metadata"] = email.provider_id, {"message_id": str(email.pk)}

    answers = [
        requests.post(live_server.url + POSTMARK_PATH, json=bounce, headers=BASIC, timeout=5)
        for _ in range(3)
    ]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert MessageStatusChange.objects.filter(message=email, to_status="bounced").count() == 1


def test_odd_ids_and_malformed_bodies_are_4xx_not_5xx(live_server, email, fake_twilio):
    odd_metadata = _complaint(email) | {"Metadata": {"message_id": "²"}, "MessageID": "x"}

    twilio = _twilio(
        live_server,
        "/webhooks/twilio/status/?message=%C2%B2",
        load_fixture("twilio/status_delivered.json"),
    )
    anymail = requests.post(
        live_server.url + POSTMARK_PATH, json=odd_metadata, headers=BASIC, timeout=5
    )
    malformed = requests.post(
        live_server.url + POSTMARK_PATH,
        data=b'{"RecordType": "Bounce", ',
        headers={**BASIC, "Content-Type": "application/json"},
        timeout=5,
    )

    assert (twilio.status_code, anymail.status_code, malformed.status_code) == (204, 200, 400)
    assert json.loads(malformed.text)["error"] == "The body is not valid JSON."
    assert Message.objects.get(pk=email.pk).status == "sent"


def test_check_deploy_reports_webhooks_without_secrets(settings):
    settings.ANYMAIL, settings.TWILIO_AUTH_TOKEN = {}, ""
    out = StringIO()

    call_command("check", "--deploy", "--tag", "security", stdout=out, stderr=out)

    assert "stepwise.W001" in out.getvalue()
    assert "stepwise.W002" in out.getvalue()
