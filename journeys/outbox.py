"""The engine's only door into the channels app (rule 9).

`outbox_queue` is called inside the transaction that advances an enrollment, so the
message row commits together with the step visit it belongs to: the outbox pattern."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels import delivery
from channels.delivery import (
    MessageContent,
    QueuedMessage,
    channel_allows,
    message_queue,
    team_notify,
    validate_content,
)
from journeys.spec import Problem

_CONTENT_FIELDS = ("subject", "preheader", "body", "url")

__all__ = [
    "MessageContent",
    "QueuedMessage",
    "channel_allows",
    "outbox_contact_messages_move",
    "outbox_notify",
    "OutboxMessage",
    "outbox_queue",
    "outbox_queue_many",
    "outbox_template_problems",
    "validate_content",
]


def outbox_queue(
    *,
    contact_id: int,
    channel: str,
    content: dict[str, Any],
    context: dict[str, Any],
    step_visit_id: int,
    variant_id: int | None,
    journey_id: int,
    now: datetime,
) -> QueuedMessage:
    """Queue one message for one step visit; a repeat call returns the same message."""
    return message_queue(
        contact_id=contact_id,
        channel=channel,
        content=_content(content),
        context=context,
        step_visit_id=step_visit_id,
        variant_id=variant_id,
        journey_id=journey_id,
        now=now,
    )


@dataclass(frozen=True)
class OutboxMessage:
    """One message a batch asks for: its step visit makes it unique."""

    contact_id: int
    channel: str
    content: dict[str, Any]
    context: dict[str, Any]
    step_visit_id: int
    variant_id: int | None
    journey_id: int


def outbox_queue_many(*, messages: Sequence[OutboxMessage], now: datetime) -> list[QueuedMessage]:
    """Queue a batch's messages, in order; one QueuedMessage each, as outbox_queue."""
    # channels may offer one call per batch (message_queue_many); until it does, one each.
    many = getattr(delivery, "message_queue_many", None)
    if many is None:
        return [outbox_queue(**vars(message), now=now) for message in messages]
    requests = [
        delivery.MessageRequest(
            contact_id=m.contact_id,
            channel=m.channel,
            content=_content(m.content),
            context=m.context,
            step_visit_id=m.step_visit_id,
            variant_id=m.variant_id,
            journey_id=m.journey_id,
        )
        for m in messages
    ]
    return many(requests=requests, now=now)


def _content(fields: Mapping[str, Any]) -> MessageContent:
    return MessageContent(**{name: str(fields.get(name, "") or "") for name in _CONTENT_FIELDS})


def outbox_contact_messages_move(*, source_id: int, into_id: int) -> None:
    """A contact merge: the merged-away contact's messages become the known contact's."""
    delivery.contact_messages_move(source_id=source_id, into_id=into_id)


def outbox_notify(*, target: str, text: str) -> None:
    """Send an internal note to the team (email address or webhook URL), from a task."""
    team_notify(target=target, text=text)


def outbox_template_problems(channel: str, fields: Mapping[str, str]) -> list[Problem]:
    """Template errors in one variant's fields, as spec problems (a spec.TemplateChecker)."""
    content = MessageContent(**{name: fields.get(name, "") or "" for name in _CONTENT_FIELDS})
    return [
        Problem(problem.field, f"line {problem.line}: {problem.message}")
        for problem in validate_content(channel, content)
    ]
