"""Provider events, applied once and only to a message of the provider's own channel."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels.delivery.messages import message_track
from channels.delivery.suppression import SUPPRESSING, address_suppress
from channels.models import Message, ProviderEvent

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
    target = _message_of_channel(channel, message_id, provider_id)
    if target is None:
        logger.warning("webhook.no_message", extra={"provider": provider, "channel": channel})
        if status in SUPPRESSING and recipient:
            _once(
                provider,
                key,
                lambda: address_suppress(
                    channel=channel,
                    address=recipient,
                    reason=status,
                    detail=detail,
                    now=timezone.now(),
                ),
            )
        return None
    return _once(
        provider,
        key,
        lambda: message_track(
            status=status,
            message_id=target,
            provider_id=provider_id,
            occurred_at=occurred_at,
            detail=detail,
        ),
    )


def _message_of_channel(channel: str, message_id: int | None, provider_id: str) -> int | None:
    """The message the event names (by our id, else the provider's), if it is of `channel`."""
    lookup = Message.objects.filter(channel=channel)
    if message_id is not None:
        lookup = lookup.filter(pk=message_id)
    elif provider_id:
        lookup = lookup.filter(provider_id=provider_id)
    else:
        return None
    return lookup.values_list("pk", flat=True).first()


def _once[T](provider: str, key: str, apply: Callable[[], T]) -> T | None:
    """Run `apply` with the event's key recorded in the same transaction; None (and
    nothing applied) when the key was recorded before: the provider resent the event."""
    try:
        with transaction.atomic():
            ProviderEvent.objects.create(
                provider=provider, event_key=key, received_at=timezone.now()
            )
            return apply()
    except IntegrityError:
        logger.info("webhook.repeated", extra={"provider": provider})
        return None
