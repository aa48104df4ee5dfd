"""Privacy requests, channels' side: what messages hold about a contact, and erasing it.

Message rows stay (their channel, status and times are what delivery reports count); what
they said and where they went is blanked. Called by journeys.run.privacy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from channels.chat.lines import chat_erase
from channels.delivery.wanted import ERASED
from channels.delivery.withdraw import messages_withdraw
from channels.models import Message, MessageStatusChange, SubscriptionChange
from channels.registry import all_channels

S = Message.Status


def messages_export(*, contact_id: int) -> list[dict[str, Any]]:
    """Every message sent or queued to the contact, as the person would read it."""
    return [
        {
            "channel": m.channel,
            "to": m.to_address,
            "status": m.status,
            "subject": m.subject,
            "text": m.body,
            "created_at": m.created_at,
            "sent_at": m.sent_at,
            "read_at": m.read_at,
        }
        for m in Message.objects.filter(contact_id=contact_id, is_test=False).order_by("id")
    ]


def channels_export(*, contact_id: int) -> dict[str, list[dict[str, Any]]]:
    """What each channel keeps about the contact besides messages (devices, ...)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for channel in all_channels():
        found.update(channel.privacy_export(contact_id))
    return found


@transaction.atomic
def messages_erase(*, contact_id: int) -> int:
    """Blank every message's address, content and provider text; cancel queued ones (the
    reason, "the person's data was erased", stays: it says nothing about them). Return
    how many messages were blanked."""
    now = timezone.now()
    messages = Message.objects.filter(contact_id=contact_id)
    waiting = messages.filter(status=S.QUEUED).values_list("pk", flat=True)
    messages_withdraw(reasons=dict.fromkeys(waiting, ERASED), status=S.CANCELLED, now=now)
    # One being sent this very moment must not go out with the person's data either.
    messages.filter(status=S.QUEUED).update(status=S.CANCELLED, status_reason=ERASED)
    MessageStatusChange.objects.filter(message__contact_id=contact_id).exclude(
        to_status=S.CANCELLED
    ).update(detail="")
    messages.exclude(status=S.CANCELLED).update(status_reason="")
    SubscriptionChange.objects.filter(contact_id=contact_id).delete()
    chat_erase(contact_id=contact_id)
    for channel in all_channels():
        channel.privacy_erase(contact_id)
    return messages.update(
        to_address="",
        subject="",
        preheader="",
        body="",
        html="",
        content={},
        context={},
        last_error="",
        updated_at=now,
    )
