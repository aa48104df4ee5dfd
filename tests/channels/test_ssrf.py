"""Issue 12: webhook and notify URLs cannot reach internal hosts (SSRF) — refused at
import, at publish and again on the socket at send time; error answers are not stored."""

from __future__ import annotations

import pytest

from channels.delivery.queue import MessageContent
from channels.models import Message
from channels.ssrf import address_refusal, url_problem
from journeys.core.problems import SpecError
from journeys.run.journeys import journey_import

BODY = '{"text": "hi"}'


@pytest.fixture
def guarded(settings):
    settings.CHANNELS_OUTBOUND_ALLOWED_HOSTS = []
    return settings


def _journey(step: dict) -> dict:
    return {
        "format": "stepwise.journey/1",
        "key": "ping",
        "name": "Ping",
        "trigger": {"event": "Signed Up"},
        "steps": [step],
    }


def _webhook(url: str) -> dict:
    return {
        "id": "ping",
        "type": "message",
        "channel": "webhook",
        "variants": [{"url": url, "body": BODY}],
    }


@pytest.mark.parametrize(
    "url",
    [
        "https://169.254.169.254/latest/meta-data/",
        "https://127.0.0.1:8443/hook",
        "https://localhost/hook",
        "https://10.0.0.7/hook",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
        "https://224.0.0.1/hook",
        "https://100.100.100.200/hook",
    ],
)
def test_internal_webhook_urls_are_refused_at_import(db, guarded, url):
    with pytest.raises(SpecError, match="does not send to internal addresses"):
        journey_import(data=_journey(_webhook(url)), publish=True)


def test_an_internal_notify_url_is_refused_at_import(db, guarded):
    step = {"id": "tell", "type": "notify", "to": "https://169.254.169.254/x", "text": "hi"}

    with pytest.raises(SpecError, match=r"steps\[0\]\.to"):
        journey_import(data=_journey(step), publish=True)


def test_public_addresses_pass_and_allow_listed_hosts_are_exempt(guarded):
    assert address_refusal("93.184.216.34") is None
    assert url_problem("https://chat.internal.example/x", resolve=lambda h: ["10.1.2.3"])
    guarded.CHANNELS_OUTBOUND_ALLOWED_HOSTS = ["chat.internal.example"]
    assert url_problem("https://chat.internal.example/x", resolve=lambda h: ["10.1.2.3"]) is None


def test_at_send_time_the_worker_does_not_connect_to_a_local_listener(
    contact, queue, receiver, guarded
):
    # As if the URL had passed publish (a name that later resolves to 127.0.0.1).
    queued = queue(contact, "webhook", MessageContent(body=BODY, url=receiver.url + "/hook"))

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert "internal addresses" in message.last_error
    assert receiver.requests == []


def test_the_socket_is_checked_where_it_lands(receiver, guarded, monkeypatch):
    """DNS rebinding: the name looked public at the check, but the connection lands on
    127.0.0.1; the guarded session refuses it before sending a byte."""
    from channels import ssrf, webhook

    monkeypatch.setattr(webhook, "url_problem", lambda url: None)
    with pytest.raises(webhook.PermanentSendError, match="Refused to connect"):
        webhook.post_json(receiver.url + "/hook", b"{}", message_id="1")

    assert receiver.requests == []
    assert ssrf.address_refusal("127.0.0.1") == "127.0.0.1 is this machine (loopback)"


def test_an_error_answer_is_stored_as_its_status_only(contact, queue, receiver):
    receiver.then_respond(400, "secret internal page: token=abc123")

    queued = queue(contact, "webhook", MessageContent(body=BODY, url=receiver.url + "/hook"))

    message = Message.objects.get(pk=queued.message_id)
    assert message.last_error == f"{receiver.url}/hook answered 400"
    assert "abc123" not in Message.objects.get(pk=queued.message_id).last_error
