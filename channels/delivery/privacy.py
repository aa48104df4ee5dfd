"""Privacy requests, channels' side: what messages hold about a contact, and erasing it.

Message rows stay (their channel, status and times are what delivery reports count); what
they said and where they went is blanked. Called by journeys.run.privacy."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from channels.chat.lines import chat_erase
from channels.models import Message, MessageStatusChange, SubscriptionChange


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


@transaction.atomic
def messages_erase(*, contact_id: int) -> int:
    """Blank every message's address, content and provider text; stop queued ones.
    Return how many messages were blanked."""
    now = timezone.now()
    messages = Message.objects.filter(contact_id=contact_id)
    messages.filter(status=Message.Status.QUEUED).update(
        status=Message.Status.SUPPRESSED, status_reason="contact erased", updated_at=now
    )
    MessageStatusChange.objects.filter(message__contact_id=contact_id).update(detail="")
    SubscriptionChange.objects.filter(contact_id=contact_id).delete()
    chat_erase(contact_id=contact_id)
    return messages.update(
        to_address="",
        subject="",
        preheader="",
        body="",
        html="",
        content={},
        context={},
        last_error="",
        status_reason="",
        updated_at=now,
    )
