"""Provider events, applied once and only to a message of the provider's own channel."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.messages import message_track
from channels.models import Message, ProviderEvent
from channels.suppression import SUPPRESSING, address_suppress

logger = logging.getLogger(__name__)


def parse_message_id(raw: object) -> int | None:
    """Our message id as a provider echoes it back; None for anything but ASCII digits
    ("²" is a digit to str.isdigit, and int() refuses it)."""
    text = str(raw or "")
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


def event_key(*parts: object) -> str:
    return hashlib.sha256("\x1f".join(str(p) for p in parts).encode()).hexdigest()


def provider_event_apply(
    *,
    provider: str,
    key: str,
    channel: str,
    status: str,
    message_id: int | None,
    provider_id: str,
    detail: str,
    occurred_at: datetime | None = None,
    recipient: str = "",
) -> Message | None:
    """Apply a status event to the message it names, if that message is of `channel`.

    A bounce or complaint for a message Stepwise does not know still suppresses the
    recipient address. Returns None when the event was seen before, or names no message
    of this channel."""
    named = (
        {"pk": message_id}
        if message_id is not None
        else {"provider_id": provider_id}
        if provider_id
        else None
    )
    target = None
    if named is not None:
        target = (
            Message.objects.filter(channel=channel, **named).values_list("pk", flat=True).first()
        )
    if target is None:
        logger.warning("webhook.no_message", extra={"provider": provider, "channel": channel})
        if status in SUPPRESSING and recipient:
            _suppress_unknown(provider, key, channel, status, recipient, detail)
        return None
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                provider=provider, event_key=key, received_at=timezone.now()
            )
            return message_track(
                status=status,
                message_id=target,
                provider_id=provider_id,
                occurred_at=occurred_at,
                detail=detail,
            )
    except IntegrityError:
        logger.info("webhook.repeated", extra={"provider": provider})
        return None


def _suppress_unknown(
    provider: str, key: str, channel: str, status: str, recipient: str, detail: str
) -> None:
    try:
        with transaction.atomic():
            now = timezone.now()
            ProviderEvent.objects.create(provider=provider, event_key=key, received_at=now)
            address_suppress(
                channel=channel, address=recipient, reason=status, detail=detail, now=now
            )
    except IntegrityError:
        logger.info("webhook.repeated", extra={"provider": provider})
