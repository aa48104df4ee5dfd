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


# --- Proposed addition (not in the channels issue's API yet) ------------------------------
# One call per worker batch instead of one per message: the journeys outbox uses it when
# channels.delivery provides it, and falls back to message_queue otherwise.


@dataclass(frozen=True)
class MessageRequest:
    contact_id: int
    channel: str
    content: MessageContent
    context: dict
    step_visit_id: int | None = None
    variant_id: int | None = None
    journey_id: int | None = None


def message_queue_many(
    *, requests: list[MessageRequest], now: datetime | None = None
) -> list[QueuedMessage]:
    """message_queue for many messages at once, in order, with the same guarantees."""
    now = now or timezone.now()
    visit_ids = [r.step_visit_id for r in requests if r.step_visit_id is not None]
    existing = {m.step_visit_id: m for m in Message.objects.filter(step_visit_id__in=visit_ids)}
    blocked = {
        (row.contact_id, row.channel): row
        for row in Subscription.objects.filter(contact_id__in={r.contact_id for r in requests})
        if not row.allows_sending
    }
    new = []
    for request in requests:
        if request.step_visit_id in existing:
            continue
        row = blocked.get((request.contact_id, request.channel))
        reason = f"{request.channel} {row.state}" if row is not None else ""
        message = Message(
            contact_id=request.contact_id,
            channel=request.channel,
            status=Message.Status.SUPPRESSED if reason else Message.Status.QUEUED,
            status_reason=reason,
            content=asdict(request.content),
            context=request.context,
            subject=request.content.subject,
            body=request.content.body,
            step_visit_id=request.step_visit_id,
            variant_id=request.variant_id,
            journey_id=request.journey_id,
            scheduled_for=now,
            created_at=now,
        )
        new.append(message)
        if request.step_visit_id is not None:
            existing[request.step_visit_id] = message
    Message.objects.bulk_create(new)
    return [_queued(existing[r.step_visit_id]) for r in requests]
