"""TEMP stand-in for channels.delivery (replace on merge with the real module).

Same signatures as the channels issue's public API; no rendering, no sending."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from django.utils import timezone

from channels.models import Message
from journeys.models import Subscription


@dataclass(frozen=True)
class MessageContent:
    subject: str = ""
    preheader: str = ""
    body: str = ""
    url: str = ""


@dataclass(frozen=True)
class QueuedMessage:
    message_id: int
    status: str
    scheduled_for: datetime
    deferred_reason: str
    suppressed_reason: str


@dataclass(frozen=True)
class TemplateProblem:
    field: str
    line: int
    message: str


def channel_allows(contact_id: int, channel: str) -> tuple[bool, str]:
    row = next(iter(Subscription.objects.filter(contact_id=contact_id, channel=channel)[:1]), None)
    if row is None or row.allows_sending:
        return True, ""
    return False, f"{channel} {row.state}"


def message_queue(
    *,
    contact_id: int,
    channel: str,
    content: MessageContent,
    context: dict,
    step_visit_id: int | None = None,
    variant_id: int | None = None,
    journey_id: int | None = None,
    now: datetime | None = None,
) -> QueuedMessage:
    now = now or timezone.now()
    if step_visit_id is not None:
        existing = next(iter(Message.objects.filter(step_visit_id=step_visit_id)[:1]), None)
        if existing is not None:
            return _queued(existing)
    allowed, reason = channel_allows(contact_id, channel)
    message = Message.objects.create(
        contact_id=contact_id,
        channel=channel,
        status=Message.Status.QUEUED if allowed else Message.Status.SUPPRESSED,
        status_reason=reason,
        content=asdict(content),
        context=context,
        subject=content.subject,
        body=content.body,
        step_visit_id=step_visit_id,
        variant_id=variant_id,
        journey_id=journey_id,
        scheduled_for=now,
        created_at=now,
    )
    return _queued(message)


def _queued(message: Message) -> QueuedMessage:
    suppressed = message.status_reason if message.status == Message.Status.SUPPRESSED else ""
    return QueuedMessage(
        message_id=message.pk,
        status=message.status,
        scheduled_for=message.scheduled_for,
        deferred_reason=message.deferred_reason,
        suppressed_reason=suppressed,
    )


def validate_content(channel: str, content: MessageContent) -> list[TemplateProblem]:
    return []


def team_notify(*, target: str, text: str) -> None:
    return None
