"""Addresses that must not be sent to again: hard bounces and spam complaints.

A bounce is a fact about an address, not a contact: every contact with that address is
spared, including one created later, and also when the ESP reports an address for a message
Stepwise never knew (its own suppression list, a message sent before an import)."""

from __future__ import annotations

import logging
from datetime import datetime

from channels.models import SuppressedAddress

logger = logging.getLogger(__name__)
SUPPRESSING = {"bounced", "complained"}


def normalised(address: str) -> str:
    return address.strip().lower()


def address_suppress(
    *, channel: str, address: str, reason: str, detail: str, now: datetime
) -> bool:
    """Record the address (once); True when it was not suppressed before."""
    address = normalised(address)
    if not address or reason not in SUPPRESSING:
        return False
    _row, created = SuppressedAddress.objects.get_or_create(
        channel=channel,
        address=address,
        defaults={"reason": reason, "detail": detail[:500], "created_at": now},
    )
    if created:
        logger.info("address.suppressed", extra={"channel": channel, "reason": reason})
    return created


def suppressed_reason(*, channel: str, address: str) -> str:
    """Why this address may not be sent to ("" when it may)."""
    row = SuppressedAddress.objects.filter(channel=channel, address=normalised(address)).first()
    if row is None:
        return ""
    return f"address suppressed: {row.get_reason_display()} {row.created_at:%Y-%m-%d}"
