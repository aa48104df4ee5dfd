"""Anymail's tracking signal → message_track. Anymail's own views (under
/webhooks/anymail/) check the webhook secret and parse each ESP's payload first."""

from __future__ import annotations

from typing import Any

from anymail.signals import AnymailTrackingEvent, EventType, tracking
from django.dispatch import receiver

from channels.webhooks.events import event_key, parse_message_id, provider_event_apply

STATUS_FOR_EVENT = {
    EventType.DELIVERED: "delivered",
    EventType.OPENED: "opened",
    EventType.CLICKED: "clicked",
    EventType.BOUNCED: "bounced",
    EventType.REJECTED: "bounced",
    EventType.COMPLAINED: "complained",
    EventType.UNSUBSCRIBED: "unsubscribed",
    EventType.FAILED: "failed",
}


def _message_id(event: AnymailTrackingEvent) -> int | None:
    metadata = event.metadata if isinstance(event.metadata, dict) else {}
    return parse_message_id(metadata.get("message_id"))


@receiver(tracking, dispatch_uid="channels.anymail_tracking")
def anymail_tracking_received(
    sender: object, event: AnymailTrackingEvent, esp_name: str, **kwargs: Any
) -> None:
    status = STATUS_FOR_EVENT.get(event.event_type)
    if status is None:
        return
    detail = f"{esp_name} {event.event_type}"
    if event.description:
        detail += f": {event.description}"
    elif event.reject_reason and event.reject_reason != event.event_type:
        detail += f" ({event.reject_reason})"
    message_id = _message_id(event)
    provider_id = str(event.message_id or "")[:255]
    recipient = str(event.recipient or "")[:320]
    provider_event_apply(
        provider=esp_name,
        # Postmark gives most events no id of their own, Mailjet none: what happened, to which
        # message and address, when, is the event's identity (a suppression-list sync sends
        # many addresses in the same second for no message at all).
        key=event_key(
            event.event_id or "",
            event.event_type,
            message_id,
            provider_id,
            event.timestamp,
            recipient.strip().lower(),
        ),
        channel="email",
        status=status,
        message_id=message_id,
        provider_id=provider_id,
        occurred_at=event.timestamp,
        detail=detail[:500],
        recipient=recipient,
    )
