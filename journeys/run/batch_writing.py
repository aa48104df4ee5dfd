"""How a batch writes what it decided, in a few queries and in dependency order: new
enrollments and step visits, messages (through the outbox, keyed by step visit), the
enrollments' updates, visits left, traits changed, traces, then notes after commit.

`Batch` (journeys.run.enrollment_batch) takes these methods; it fills the lists in memory.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection, transaction

from journeys.core.engine import TraceLine
from journeys.core.traits import KNOWN_TRAITS
from journeys.models import Contact, Enrollment, StepVisit
from journeys.models.bulk import allocate_ids, insert_rows, update_rows
from journeys.run.outbox import (
    OutboxMessage,
    QueuedMessage,
    outbox_cancel_unwanted,
    outbox_notify,
    outbox_queue_many,
)
from journeys.run.report_rows import Ledger
from journeys.run.traces import TraceRow, traces_write


@dataclass
class PlannedMessage:
    """A message the batch decided to send, queued at flush once its visit has an id."""

    enrollment: Enrollment
    step_key: str
    visit: StepVisit
    channel: str
    content: dict[str, str]
    variant_id: int | None
    context: dict[str, Any]
    trace: TraceRow
    language: tuple[str, str] = ("", "")  # the version sent and why (journeys.core.languages)


class BatchWriting:
    """`flush`: everything a batch decided, written inside its transaction."""

    now: datetime
    contacts: dict[int, Contact]
    new_enrollments: list[Enrollment]
    touched: dict[int, Enrollment]
    new_visits: list[StepVisit]
    left_visits: dict[int, tuple[datetime, str]]
    messages: list[PlannedMessage]
    traces: list[TraceRow]
    changed_contacts: set[int]
    notes: list[tuple[str, str, str]]  # (to, text, the journey's name)
    open_visits: dict[int, StepVisit]
    visit_owner: dict[int, Enrollment]
    ledger: Ledger

    def flush(self) -> None:
        """Write everything decided, in dependency order. Call inside the transaction."""
        self.ledger.before_insert()
        self._insert_new_rows()
        if self.changed_contacts:  # before the messages: in-app ones are rendered at once
            changed = [self.contacts[pk] for pk in sorted(self.changed_contacts)]
            update_rows(Contact, changed, ["traits", *KNOWN_TRAITS])
        self._queue_messages()
        self._update_enrollments()
        self._cancel_unwanted_messages()
        self._update_left_visits()
        self.ledger.after_insert()
        traces_write(rows=self.traces)
        for to, text, topic in self.notes:
            transaction.on_commit(
                functools.partial(outbox_notify, target=to, text=text, topic=topic)
            )

    def _queue_messages(self) -> None:
        if not self.messages:
            return
        requests = [
            OutboxMessage(
                contact_id=planned.enrollment.contact_id,
                channel=planned.channel,
                content=planned.content,
                context=planned.context,
                step_visit_id=planned.visit.pk,
                variant_id=planned.variant_id,
                journey_id=planned.enrollment.journey_id,
                language=planned.language,
            )
            for planned in self.messages
        ]
        results = outbox_queue_many(messages=requests, now=self.now)
        for planned, queued in zip(self.messages, results, strict=True):
            self._explain(planned, queued)

    def _explain(self, planned: PlannedMessage, queued: QueuedMessage) -> None:
        step = f'Step "{planned.step_key}"'
        if queued.suppressed_reason:
            code, text = "message.suppressed", f"{step}: not sent, {queued.suppressed_reason}."
        elif queued.deferred_reason:
            code = "message.deferred"
            until = f"{queued.scheduled_for:%Y-%m-%d %H:%M} UTC"
            text = f"{step}: deferred until {until} ({queued.deferred_reason})."
        else:
            code, text = "message.queued", f"{step}: {planned.channel} message queued."
        data = {
            "message_id": queued.message_id,
            "status": queued.status,
            "channel": planned.channel,
            "scheduled_for": queued.scheduled_for,
            "deferred_reason": queued.deferred_reason,
            "suppressed_reason": queued.suppressed_reason,
        }
        planned.trace.add(TraceLine(code, text, data))

    def _close_before_reentry(self) -> None:
        """A contact who left and re-entered in one batch: the old trip is written closed
        before the new one goes in (only one may be open, by constraint)."""
        closed = [row for row in self.touched.values() if not row.is_open]
        if closed and self.new_enrollments:
            update_rows(Enrollment, sorted(closed, key=lambda row: row.pk), ["state", "wake_at"])

    def _insert_new_rows(self) -> None:
        self._close_before_reentry()
        if connection.vendor == "postgresql":
            # Ids first, so each row is written once, complete (see journeys.models.bulk).
            if self.new_enrollments:
                allocate_ids(Enrollment, self.new_enrollments)
            self._link_visits()
            insert_rows(Enrollment, self.new_enrollments)
            insert_rows(StepVisit, self.new_visits)
            return
        insert_rows(Enrollment, self.new_enrollments)
        self._link_visits()
        insert_rows(StepVisit, self.new_visits)
        self._point_at_open_visits()
        # New enrollments were inserted before their visits: they still need current_visit_id.
        update_rows(Enrollment, self.new_enrollments, ["current_visit_id"])

    def _link_visits(self) -> None:
        for visit in self.new_visits:
            visit.enrollment_id = self.visit_owner[id(visit)].pk
        if connection.vendor == "postgresql" and self.new_visits:
            allocate_ids(StepVisit, self.new_visits)
            self._point_at_open_visits()

    def _point_at_open_visits(self) -> None:
        for visit in self.open_visits.values():
            self.visit_owner[id(visit)].current_visit_id = visit.pk

    def _update_enrollments(self) -> None:
        rows = sorted(self.touched.values(), key=lambda row: row.pk)
        update_rows(Enrollment, rows, _ENROLLMENT_FIELDS)

    def _cancel_unwanted_messages(self) -> None:
        """Trips that reached the goal or left: their messages still waiting (quiet hours,
        the cap, a retry) are cancelled, so nobody is asked for what they already did."""
        ended = [row.pk for row in [*self.new_enrollments, *self.touched.values()]
                 if row.state in _ENDS_MESSAGES]  # fmt: skip
        outbox_cancel_unwanted(now=self.now, enrollment_ids=ended)

    def _update_left_visits(self) -> None:
        visits = [
            StepVisit(pk=pk, left_at=left_at, outcome=outcome)
            for pk, (left_at, outcome) in sorted(self.left_visits.items())
        ]
        update_rows(StepVisit, visits, ["left_at", "outcome"])


_ENDS_MESSAGES = (Enrollment.State.CONVERTED, Enrollment.State.EXITED)
_ENROLLMENT_FIELDS = [
    "version",
    "step_key",
    "state",
    "wake_at",
    "revision",
    "last_event",
    "last_event_data",
    "events_data",
    "visit_count",
    "furthest_position",
    "step_entered_at",
    "current_visit_id",
    "finished_at",
    "updated_at",
]
