from __future__ import annotations

import pytest
from twilio.request_validator import RequestValidator

from channels.delivery.queue import MessageContent
from channels.models import Message
from journeys.models import Subscription
from tests.channels.support import history, load_fixture

REMINDER = MessageContent(body="Hi {{ contact.first_name }}")
STATUS_PATH = "/webhooks/twilio/status/"
INBOUND_PATH = "/webhooks/twilio/inbound/"


@pytest.fixture
def sent(contact, queue, fake_twilio) -> Message:
    queued = queue(contact, "sms", REMINDER)
    return Message.objects.get(pk=queued.message_id)


def status_payload(name: str, message: Message) -> dict[str, str]:
    payload = load_fixture(f"twilio/{name}.json")
    payload["MessageSid"] = payload["SmsSid"] = message.provider_id
    return payload


def test_a_delivered_callback_marks_the_message_delivered(sent, post_twilio):
    path = f"{STATUS_PATH}?message={sent.pk}"

    response = post_twilio(path, status_payload("status_delivered", sent))

    assert response.status_code == 204
    assert Message.objects.get(pk=sent.pk).status == "delivered"
    assert history(sent.pk)[-1] == ("sent", "delivered", True)


def test_an_undelivered_callback_fails_the_message_with_the_error_code(sent, post_twilio):
    post_twilio(f"{STATUS_PATH}?message={sent.pk}", status_payload("status_undelivered", sent))

    message = Message.objects.get(pk=sent.pk)
    assert message.status == "failed"
    assert message.history.last().detail == "Twilio undelivered error 30003"
    assert Subscription.objects.count() == 0


def test_a_callback_with_a_bad_signature_is_refused(sent, post_twilio):
    response = post_twilio(
        f"{STATUS_PATH}?message={sent.pk}",
        status_payload("status_delivered", sent),
        signature="bm90IGEgc2lnbmF0dXJl",
    )

    assert response.status_code == 403
    assert Message.objects.get(pk=sent.pk).status == "sent"


def test_the_signature_is_checked_against_the_public_url(sent, client):
    fields = status_payload("status_delivered", sent)
    path = f"{STATUS_PATH}?message={sent.pk}"
    internal = RequestValidator("twilio-auth-token").compute_signature(
        "http://testserver" + path, fields
    )

    response = client.post(path, data=fields, HTTP_X_TWILIO_SIGNATURE=internal)

    assert response.status_code == 403


@pytest.mark.parametrize("word", ["STOP", "unsubscribe", "Cancel", "END", "quit please"])
def test_inbound_stop_words_opt_out_of_sms(word, contact, post_twilio, fake_twilio):
    payload = load_fixture("twilio/inbound_stop.json") | {"Body": word}

    response = post_twilio(INBOUND_PATH, payload)

    subscription = Subscription.objects.get(contact=contact, channel="sms")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert subscription.state == "unsubscribed"
    assert subscription.reason == f"replied {word.split()[0].upper()} by SMS"


@pytest.mark.parametrize("word", ["START", "unstop"])
def test_inbound_start_words_opt_back_in(word, contact, post_twilio, fake_twilio):
    stop = load_fixture("twilio/inbound_stop.json")
    post_twilio(INBOUND_PATH, stop)

    post_twilio(INBOUND_PATH, stop | {"Body": word})

    assert Subscription.objects.get(contact=contact, channel="sms").state == "subscribed"


def test_other_inbound_text_changes_nothing(contact, post_twilio, fake_twilio):
    post_twilio(INBOUND_PATH, load_fixture("twilio/inbound_stop.json") | {"Body": "stop by later?"})

    assert Subscription.objects.get(contact=contact, channel="sms").state == "unsubscribed"


def test_inbound_with_a_bad_signature_is_refused(contact, post_twilio, fake_twilio):
    response = post_twilio(INBOUND_PATH, load_fixture("twilio/inbound_stop.json"), signature="Zm9v")

    assert response.status_code == 403
    assert Subscription.objects.count() == 0
