from __future__ import annotations

import hashlib
import hmac
import json

from channels.delivery.queue import MessageContent
from channels.models import Message


def hook(url: str) -> MessageContent:
    return MessageContent(
        body='{"text": {{ "Signed up: " | append: contact.first_name | json }}, '
        '"plan": {{ contact.traits.plan | json }}}',
        url=url + "/hooks/slack",
    )


def test_the_payload_is_posted_as_json_with_an_hmac_signature(contact, queue, receiver):
    queued = queue(contact, "webhook", hook(receiver.url))

    [request] = receiver.requests
    timestamp = request.headers["x-stepwise-timestamp"]
    expected = hmac.new(
        b"hook-secret", timestamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    message = Message.objects.get(pk=queued.message_id)
    assert request.path == "/hooks/slack"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["x-stepwise-signature"] == f"v1={expected}"
    assert json.loads(request.body) == {"text": "Signed up: Ada", "plan": "pro"}
    assert (message.status, message.to_address) == ("sent", receiver.url + "/hooks/slack")


def test_a_4xx_answer_fails_the_message(contact, queue, receiver):
    receiver.then_respond(404, "no_service")

    queued = queue(contact, "webhook", hook(receiver.url))

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    # only the status: what the target answered is not stored (issue 12)
    assert message.last_error == f"{receiver.url}/hooks/slack answered 404"


def test_a_5xx_answer_is_retried(contact, queue, receiver):
    receiver.then_respond(502, "bad gateway")

    queued = queue(contact, "webhook", hook(receiver.url))

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error == f"{receiver.url}/hooks/slack answered 502"


def test_a_timeout_is_retried(contact, queue, receiver, settings):
    settings.CHANNELS_HTTP_TIMEOUT_SECONDS = 0.3
    receiver.then_respond(200, "ok", delay=1.0)

    queued = queue(contact, "webhook", hook(receiver.url))

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.last_error.startswith(f"{receiver.url}/hooks/slack did not answer:")


def test_a_body_that_is_not_json_once_rendered_fails_without_a_request(contact, queue, receiver):
    content = MessageContent(body='{"text": "{{ contact.first_name }}', url=receiver.url)

    queued = queue(contact, "webhook", content)

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert message.last_error.startswith("Text, line 1: The webhook body is not valid JSON")
    assert receiver.requests == []
