"""The engine's only door into the channels app's services (rule 9).

`outbox_queue_many` is called inside the transaction that advances enrollments, so each
message row commits together with the step visit it belongs to: the outbox pattern."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from channels.delivery.queue import (
    MessageContent,
    MessageRequest,
    QueuedMessage,
    contact_messages_move,
    message_queue_many,
    validate_content,
)
from channels.delivery.team import team_notify
from channels.delivery.wanted import messages_cancel_unwanted
from channels.registry import publish_problems
from channels.ssrf import url_problem
from journeys.core.problems import Problem
from journeys.core.spec import VARIANT_FIELDS

__all__ = [
    "OutboxMessage",
    "QueuedMessage",
    "outbox_cancel_unwanted",
    "outbox_contact_messages_move",
    "outbox_notify",
    "outbox_queue_many",
    "outbox_template_problems",
]


@dataclass(frozen=True)
class OutboxMessage:
    """One message a batch asks for: its step visit makes it unique."""

    contact_id: int
    channel: str
    content: dict[str, Any]
    context: dict[str, Any]
    step_visit_id: int | None  # None: a one-off message from staff, not a step's
    variant_id: int | None
    journey_id: int
    language: tuple[str, str] = ("", "")  # the version sent and why; ("", ""): one only


def outbox_queue_many(*, messages: Sequence[OutboxMessage], now: datetime) -> list[QueuedMessage]:
    """Queue a batch's messages, in order, one QueuedMessage each; a step visit that
    already has its message gets that one back."""
    requests = [
        MessageRequest(
            contact_id=m.contact_id,
            channel=m.channel,
            content=_content(m.content),
            context=m.context,
            step_visit_id=m.step_visit_id,
            variant_id=m.variant_id,
            journey_id=m.journey_id,
            language=m.language,
        )
        for m in messages
    ]
    return message_queue_many(requests=requests, now=now)


def outbox_cancel_unwanted(
    *, now: datetime, enrollment_ids: Sequence[int] | None = None, journey_id: int | None = None
) -> int:
    """Enrollments ended (goal, exit) or a journey paused or archived: their messages that
    still wait are cancelled, with the reason staff read. Call after the change, in its
    transaction; returns how many were cancelled."""
    if enrollment_ids is not None and not enrollment_ids:
        return 0
    return len(
        messages_cancel_unwanted(now=now, enrollment_ids=enrollment_ids, journey_id=journey_id)
    )


def _content(fields: Mapping[str, Any]) -> MessageContent:
    return MessageContent(**{name: str(fields.get(name, "") or "") for name in VARIANT_FIELDS})


def outbox_contact_messages_move(*, source_id: int, into_id: int) -> None:
    """A contact merge: the merged-away contact's messages become the known contact's."""
    contact_messages_move(source_id=source_id, into_id=into_id)


def outbox_notify(*, target: str, text: str, topic: str = "") -> None:
    """Keep a note for the team (email address or webhook URL) about `topic` (the journey's
    name): sent from a task, several in a few minutes as one digest."""
    team_notify(target=target, text=text, topic=topic)


def outbox_url_problem(url: str) -> str | None:
    """Why Stepwise may not send to `url` (an internal address), or None."""
    return url_problem(url)


def outbox_template_problems(channel: str, fields: Mapping[str, str]) -> list[Problem]:
    """Template errors in one variant's fields, and a webhook URL that points inside our
    network, as spec problems (a TemplateChecker, run at import and publish)."""
    problems = [
        Problem(
            problem.field,
            f"Line {problem.line}: {problem.message}" if problem.line else problem.message,
        )
        for problem in validate_content(channel, _content(fields))
    ]
    unsafe = publish_problems(channel, _content(fields))
    return problems + [Problem(problem.field, problem.message) for problem in unsafe]
