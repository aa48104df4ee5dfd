"""Acme's server-side Stepwise client: events through the Segment-compatible API, and the
user hash the widget carries. Stepwise being down never breaks Acme (failures are logged)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request
import uuid
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

logger = logging.getLogger(__name__)


def user_id_for(user: Any) -> str:
    return f"acme-{user.pk}"


def user_hash(user_id: str) -> str:
    """hex HMAC-SHA256 of the user id with the source's identity secret (on the server)."""
    secret = settings.STEPWISE_IDENTITY_SECRET.encode()
    return hmac.new(secret, user_id.encode(), hashlib.sha256).hexdigest()


def _post(path: str, body: dict[str, Any], user_id: str) -> None:
    token = base64.b64encode(f"{settings.STEPWISE_WRITE_KEY}:".encode()).decode()
    request = urllib.request.Request(  # noqa: S310 - the configured Stepwise URL
        f"{settings.STEPWISE_URL}/v1/{path}",
        data=json.dumps(body).encode(),
        headers={
            "Authorization": f"Basic {token}",
            "Content-Type": "application/json",
            "X-Stepwise-User-Hash": user_hash(user_id),
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310
            answer.read()
    except (urllib.error.URLError, TimeoutError):
        logger.warning("acme.stepwise_failed", extra={"path": path}, exc_info=True)


def _message(user: Any) -> dict[str, Any]:
    return {
        "userId": user_id_for(user),
        "messageId": f"acme-{uuid.uuid4()}",
        "timestamp": datetime.now(UTC).isoformat(),
        "context": {"library": {"name": "acme-notes", "version": "1"}},
    }


def identify(user: Any, traits: dict[str, Any]) -> None:
    _post("identify", {**_message(user), "traits": traits}, user_id_for(user))


def track(user: Any, event: str, properties: dict[str, Any] | None = None) -> None:
    body = {**_message(user), "event": event, "properties": properties or {}}
    _post("track", body, user_id_for(user))
