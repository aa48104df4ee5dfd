"""Webhook channel: POST the rendered JSON to a URL, signed with HMAC-SHA256.

The receiver checks `X-Stepwise-Signature: v1=<hex>` where hex is
HMAC-SHA256(secret, "<X-Stepwise-Timestamp>.<body>"). A Slack incoming webhook ignores it.
"""

from __future__ import annotations

import hashlib
import hmac
import time

import requests

from channels import conf
from channels.base import (
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    register,
)

SIGNATURE_HEADER = "X-Stepwise-Signature"
TIMESTAMP_HEADER = "X-Stepwise-Timestamp"


def sign(body: bytes, timestamp: str, secret: bytes) -> str:
    digest = hmac.new(secret, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return f"v1={digest}"


def post_json(url: str, body: bytes, *, message_id: str) -> requests.Response:
    """POST signed JSON; raises Transient/PermanentSendError unless the answer is 2xx."""
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Stepwise-Webhook/1",
        "X-Stepwise-Message-Id": message_id,
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(body, timestamp, conf.webhook_secret()),
    }
    try:
        response = requests.post(
            url, data=body, headers=headers, timeout=conf.http_timeout(), allow_redirects=False
        )
    except requests.RequestException as exc:
        raise TransientSendError(f"{url} did not answer: {exc}") from exc
    if 200 <= response.status_code < 300:
        return response
    text = f"{url} answered {response.status_code}: {response.text[:200]}"
    if response.status_code == 429 or response.status_code >= 500:
        raise TransientSendError(text)
    raise PermanentSendError(text)


class WebhookChannel:
    key = "webhook"

    def is_available(self) -> bool:
        return True

    def send(self, message: OutboundMessage) -> SendResult:
        body = message.rendered.text.encode()
        response = post_json(message.to_address, body, message_id=str(message.message_id))
        return SendResult(provider_id=f"webhook-{message.message_id}-{response.status_code}")


register(WebhookChannel())
