"""Webhook channel: POST the rendered JSON to a URL, signed with HMAC-SHA256.

The receiver checks `X-Stepwise-Signature: v1=<hex>` where hex is
HMAC-SHA256(secret, "<X-Stepwise-Timestamp>.<body>"). A Slack incoming webhook ignores it.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests

from channels import conf
from channels.base import (
    Channel,
    OutboundMessage,
    PermanentSendError,
    Recipient,
    SendResult,
    TransientSendError,
)
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    TemplateProblem,
    is_http_url,
    render_field,
)
from channels.ssrf import UnsafeURL, guarded_session, url_problem

SIGNATURE_HEADER = "X-Stepwise-Signature"
TIMESTAMP_HEADER = "X-Stepwise-Timestamp"


def sign(body: bytes, timestamp: str, secret: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def post_json(url: str, body: bytes, *, message_id: str) -> requests.Response:
    """POST signed JSON; raises Transient/PermanentSendError unless the answer is 2xx.

    Only to public addresses (channels/ssrf.py), redirects not followed; of an error answer
    only the status is kept (its body may be anything the target wants us to store)."""
    problem = url_problem(url)
    if problem is not None:
        raise PermanentSendError(problem)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Stepwise-Webhook/1",
        "X-Stepwise-Message-Id": message_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(body, timestamp, conf.webhook_secret()),
    }
    try:
        with guarded_session() as session:
            response = session.post(
                url, data=body, headers=headers, timeout=conf.http_timeout(), allow_redirects=False
            )
    except UnsafeURL as exc:
        raise PermanentSendError(str(exc)) from exc
    except requests.RequestException as exc:
        raise TransientSendError(f"{url} did not answer: {exc}") from exc
    if 200 <= response.status_code < 300:
        return response
    text = f"{url} answered {response.status_code}"
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientSendError(text)
    raise PermanentSendError(text)


class WebhookChannel(Channel):
    """The URL is the address, not a template; the body is a JSON template."""

    key, label, noun = "webhook", "Webhook", "a webhook"
    required = ("url", "body")
    subscription = None
    address_words = "URL"
    preview_template = "channels/webhook/preview.html"
    message_template = "channels/webhook/message.html"

    def publish_problems(self, content: MessageContent) -> list[TemplateProblem]:
        """A URL that points inside our network (a DNS look-up: not run for previews)."""
        url = content.url.strip()
        unsafe = url_problem(url) if url.startswith("http") else None
        return [TemplateProblem("url", None, unsafe)] if unsafe else []

    def field_problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        if "url" in fields and not str(fields["url"]).startswith("https://"):
            return [("url", "Use an address that starts with https://.")]
        return []

    def content_problems(self, content: MessageContent) -> list[TemplateProblem]:
        if content.url.strip() and not is_http_url(content.url):
            return [TemplateProblem("url", None, "The URL must start with https://.")]
        return []

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        return content.url.strip()

    def test_address(self, given: str, content: MessageContent) -> str:
        address = given or content.url
        if urlsplit(address).scheme not in {"http", "https"}:
            raise ValueError(f"{address!r} is not an http(s) URL.")
        return address

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        text = render_field("body", content.body, context, html=False).strip()
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            message = f"The webhook body is not valid JSON once filled in ({exc.msg})."
            raise RenderError(TemplateProblem("body", exc.lineno, message)) from exc
        return RenderedMessage(channel=self.key, text=text, url=content.url.strip())

    def send(self, message: OutboundMessage) -> SendResult:
        body = message.rendered.text.encode()
        response = post_json(message.to_address, body, message_id=str(message.message_id))
        return SendResult(provider_id=f"webhook-{message.message_id}-{response.status_code}")
