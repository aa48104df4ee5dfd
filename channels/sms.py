"""SMS through Twilio. The client is built in twilio_client() only."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import requests
from django.utils.translation import gettext_noop
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.http.response import Response
from twilio.rest import Client

from channels import conf
from channels.base import (
    Channel,
    OutboundMessage,
    PermanentSendError,
    Recipient,
    SendResult,
    TransientSendError,
)
from channels.rendering import MessageContent, RenderedMessage, render_field, sms_segments

E164 = re.compile(r"^\+[1-9]\d{6,14}$")
# The first text to each person says how to stop (carriers ask for it; the Twilio
# inbound webhook honours STOP). A source may say it in its own words.
STOP_NOTES = {"en": "Reply STOP to stop.", "fr": "Répondez STOP pour ne plus en recevoir."}
TWILIO_OPTED_OUT = 21610  # "Attempt to send to unsubscribed recipient"
_TWILIO_HOST = re.compile(r"^https://[a-z0-9.-]+\.twilio\.com")


class _RebasingHttpClient(TwilioHttpClient):
    """Sends Twilio's API calls to another base URL (a proxy, or the tests' fake Twilio)."""

    def __init__(self, *, base_url: str, timeout: float) -> None:
        super().__init__(timeout=timeout)
        self.base_url = base_url

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Response:
        if self.base_url:
            url = _TWILIO_HOST.sub(self.base_url, url)
        return super().request(method, url, *args, **kwargs)


def twilio_client() -> Client:
    """The one place a Twilio client is made: credentials, timeout and base URL from settings."""
    config = conf.twilio()
    http_client = _RebasingHttpClient(base_url=config.api_base_url, timeout=conf.http_timeout())
    return Client(config.account_sid, config.auth_token, http_client=http_client)


def status_callback_url(message_id: int) -> str:
    return f"{conf.public_url()}/webhooks/twilio/status/?{urlencode({'message': message_id})}"


class SmsChannel(Channel):
    key, label, noun = "sms", "SMS", "a text message"
    long_label = "Text message (SMS)"
    subscription, preference = "sms", gettext_noop("Text messages (SMS)")  # the pages translate it
    stop_replies, address_often_missing = True, True
    contact_field, address_words, address_example = "phone", "phone number", "+44 7700 900123"
    no_address = "no phone number"
    preview_template = "channels/sms/preview.html"
    message_template = "channels/sms/message.html"
    test_send, replies, segments = "typed", "text", True

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        return recipient.phone if E164.match(recipient.phone or "") else ""

    def test_address(self, given: str, content: MessageContent) -> str:
        if not E164.match(given):
            raise ValueError(f"{given!r} is not a phone number in +E.164 form.")
        return given

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        text = render_field("body", content.body, context, html=False).strip()
        return RenderedMessage(channel=self.key, text=text, sms=sms_segments(text))

    def first_message_note(self, *, custom: str, language: str) -> str:
        return custom.strip() or STOP_NOTES.get(language[:2].lower(), STOP_NOTES["en"])

    def with_note(self, rendered: RenderedMessage, note: str) -> RenderedMessage:
        text = f"{rendered.text}\n\n{note}"
        return dataclasses.replace(rendered, text=text, sms=sms_segments(text))

    def is_available(self) -> bool:
        return conf.sms_console() or conf.twilio().is_configured

    def send(self, message: OutboundMessage) -> SendResult:
        if conf.sms_console() and not conf.twilio().is_configured:
            # SMS_BACKEND=console (the demo): the text goes to the worker's output instead.
            print(  # noqa: T201 - the console backend is this print
                f"SMS to {message.to_address}: {message.rendered.text}", flush=True
            )
            return SendResult(provider_id=f"console-{message.message_id}")
        config = conf.twilio()
        sender: dict[str, str] = (
            {"messaging_service_sid": config.messaging_service_sid}
            if config.messaging_service_sid
            else {"from_": config.from_number}
        )
        try:
            sent = twilio_client().messages.create(
                to=message.to_address,
                body=message.rendered.text,
                status_callback=status_callback_url(message.message_id),
                **sender,
            )
        except TwilioRestException as exc:
            text = f"Twilio {exc.status} error {exc.code}: {exc.msg}"
            if exc.status == 429 or exc.status >= 500:
                raise TransientSendError(text) from exc
            raise PermanentSendError(text, opted_out=exc.code == TWILIO_OPTED_OUT) from exc
        except requests.RequestException as exc:
            raise TransientSendError(f"Twilio unreachable: {exc}") from exc
        return SendResult(provider_id=str(sent.sid))
