"""One transaction's worth of engine work: decide in memory, then write in a few queries.

A `Batch` is filled by journeys.run.enrollments (events and wake-ups). Each decision
is folded by journeys.core.reducer (the simulator's reducer too) and carried out on in-memory
rows first, so later events of the same contact in the batch see the earlier ones'
effects; `flush` then writes new enrollments, step visits, messages (through the outbox,
keyed by step visit), enrollment updates and traces, in that order.
"""

from __future__ import annotations

import bisect
import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from journeys.core.engine import (
    Command,
    Decision,
    EnrollmentState,
    EnterStep,
    EventStimulus,
    EventView,
    Finish,
    LeaveStep,
    Notify,
    SendMessage,
    Stimulus,
    TraceLine,
    UpdateTraits,
    UseEvent,
)
from journeys.core.reducer import reduce_decision
from journeys.core.steps import type_of
from journeys.core.traits import KNOWN_TRAITS, extract_known_traits
from journeys.models import Contact, Enrollment, Event, StepVisit
from journeys.models.bulk import allocate_ids, insert_rows, update_rows
from journeys.run.engine_views import contact_view, event_snapshot, template_event
from journeys.run.notes import note_render
from journeys.run.outbox import (
    OutboxMessage,
    QueuedMessage,
    outbox_cancel_unwanted,
    outbox_notify,
    outbox_queue_many,
)
from journeys.run.report_rows import Ledger
from journeys.run.selectors import VersionInfo
from journeys.run.traces import TraceRow, trace_row, traces_write

logger = logging.getLogger(__name__)


@dataclass
class _PlannedMessage:
    enrollment: Enrollment
    step_key: str
    visit: StepVisit
    channel: str
    content: dict[str, str]
    variant_id: int | None
    context: dict[str, Any]
    trace: TraceRow


@dataclass
class Batch:
    """Decisions of one transaction, applied in memory and written by `flush`."""

    now: datetime
    contacts: dict[int, Contact]
    history: dict[int, list[EventView]] = field(default_factory=dict)
    new_enrollments: list[Enrollment] = field(default_factory=list)
    touched: dict[int, Enrollment] = field(default_factory=dict)
    new_visits: list[StepVisit] = field(default_factory=list)
    left_visits: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    messages: list[_PlannedMessage] = field(default_factory=list)
    traces: list[TraceRow] = field(default_factory=list)
    changed_contacts: set[int] = field(default_factory=set)
    notes: list[tuple[str, str]] = field(default_factory=list)
    open_visits: dict[int, StepVisit] = field(default_factory=dict)
    # Visits are linked to their enrollments by object until flush() knows the ids.
    visit_owner: dict[int, Enrollment] = field(default_factory=dict)
    # Assignments, conversions and report counters of the same rows (report_rows.py).
    ledger: Ledger = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(now=self.now)

    # --- reading ---------------------------------------------------------------------

    def load_history(self, *, names: set[str], since: datetime) -> None:
        """The batch contacts' events with these names since `since`, oldest first."""
        if not names or not self.contacts:
            return
        rows = (
            Event.objects.filter(contact_id__in=list(self.contacts), name__in=names)
            .filter(timestamp__gte=since)
            .order_by("timestamp", "pk")
            .values_list("pk", "contact_id", "name", "properties", "timestamp")
        )
        for pk, contact_id, name, properties, stamp in rows:
            self.history.setdefault(contact_id, []).append(
                EventView(name=name, properties=properties or {}, timestamp=stamp, id=pk)
            )

    def events_between(
        self, contact_id: int, *, since: datetime | None, upto: EventView | None
    ) -> tuple[EventView, ...]:
        """The contact's known events from `since` up to and including `upto` (else all)."""
        events = self.history.get(contact_id, [])
        keys = [(e.timestamp, e.id) for e in events]
        start = 0 if since is None else bisect.bisect_left(keys, (since, -1))
        end = len(events)
        if upto is not None:
            end = bisect.bisect_right(keys, (upto.timestamp, upto.id))
        window = events[start:end]
        if upto is not None and all(e.id != upto.id for e in window):
            window.append(upto)
        return tuple(window)

    def events_before(self, contact_id: int, event: EventView) -> tuple[EventView, ...]:
        return tuple(e for e in self.events_between(contact_id, since=None, upto=event)
                     if e.id != event.id)  # fmt: skip

    # --- applying decisions in memory ------------------------------------------------

    def trace(
        self,
        lines: tuple[TraceLine, ...] | list[TraceLine],
        *,
        contact_id: int,
        journey_id: int | None,
        enrollment: Enrollment | None,
    ) -> TraceRow:
        row = trace_row(
            lines=lines,
            contact_id=contact_id,
            journey_id=journey_id,
            enrollment=enrollment,
            at=self.now,
        )
        self.traces.append(row)
        return row

    def apply(
        self,
        enrollment: Enrollment,
        version: VersionInfo,
        state: EnrollmentState,
        stimulus: Stimulus,
        decision: Decision,
        *,
        journey_name: str,
    ) -> None:
        """Carry out a decision on an in-memory enrollment; rows are written by flush().

        `state` is what the engine decided on; the reducer says what is carried out."""
        reduced = reduce_decision(state, stimulus, decision, now=self.now)
        row = self.trace(
            decision.trace,
            contact_id=enrollment.contact_id,
            journey_id=enrollment.journey_id,
            enrollment=enrollment,
        )
        event = stimulus.event if isinstance(stimulus, EventStimulus) else None
        if decision.commands and event is not None:
            enrollment.last_event_id = int(event.id) if event.id is not None else None
            enrollment.last_event_data = event_snapshot(event)
        for command in reduced.commands:
            self._apply_one(enrollment, version, command, journey_name, row)
        if reduced.refusals:
            self.trace(
                reduced.refusals,
                contact_id=enrollment.contact_id,
                journey_id=enrollment.journey_id,
                enrollment=enrollment,
            )
        after = reduced.state
        enrollment.step_key = after.step_id or ""
        enrollment.state = after.state
        enrollment.wake_at = after.wake_at
        if reduced.commands:
            enrollment.revision += 1
            enrollment.updated_at = self.now
            self._touch(enrollment)

    def fail(self, enrollment: Enrollment, error: BaseException) -> None:
        """Park an enrollment the engine could not decide for (a bug), so it blocks nothing."""
        logger.error(
            "enrollment.failed", extra={"enrollment_id": enrollment.pk, "error": repr(error)}
        )
        self._finish(enrollment, "failed")
        enrollment.state, enrollment.wake_at = Enrollment.State.FAILED, None
        enrollment.revision += 1
        self._touch(enrollment)
        line = TraceLine("engine.error", f"Stopped: the engine failed ({error!r}).", {})
        self.trace(
            [line],
            contact_id=enrollment.contact_id,
            journey_id=enrollment.journey_id,
            enrollment=enrollment,
        )

    def _touch(self, enrollment: Enrollment) -> None:
        if enrollment.pk is not None:
            self.touched[enrollment.pk] = enrollment

    def _apply_one(
        self,
        enrollment: Enrollment,
        version: VersionInfo,
        command: Command,
        journey_name: str,
        row: TraceRow,
    ) -> None:
        """The rows one command touches; the enrollment's own state comes from the reducer."""
        match command:
            case LeaveStep(step_id=step_id, outcome=outcome):
                self._note_arm(enrollment, version, step_id, outcome)
                self._leave(enrollment, outcome)
            case EnterStep(step_id=step_id):
                self._enter(enrollment, version, step_id)
            case SendMessage():
                self._plan_message(enrollment, version, command, journey_name, row)
            case UpdateTraits():
                self._update_traits(enrollment, command)
            case Notify(to=to, text=text):
                contact = self.contacts[enrollment.contact_id]
                context = self._context(enrollment, journey_name)
                self.notes.append((to, note_render(text, contact_view(contact), context)))
            case UseEvent(event=event):
                enrollment.last_event_id = int(event.id) if event.id is not None else None
                enrollment.last_event_data = event_snapshot(event)
            case Finish(state=state):
                self._finish(enrollment, state)

    def _enter(self, enrollment: Enrollment, version: VersionInfo, step_id: str) -> None:
        self._leave(enrollment, "left")
        enrollment.step_entered_at = self.now
        enrollment.visit_count += 1
        visit = StepVisit(
            enrollment_id=enrollment.pk,
            step_id=version.step_ids[step_id],
            seq=enrollment.visit_count,
            entered_at=self.now,
        )
        self.ledger.enter(enrollment, version.id, visit)  # deepens furthest_position at flush
        self.new_visits.append(visit)
        self.open_visits[id(enrollment)] = visit
        self.visit_owner[id(visit)] = enrollment

    def _leave(self, enrollment: Enrollment, outcome: str) -> None:
        visit = self.open_visits.pop(id(enrollment), None)
        if visit is not None:
            visit.left_at, visit.outcome = self.now, outcome[:40]
            self.ledger.leave(enrollment, visit, visit.entered_at)
        elif enrollment.current_visit_id is not None:
            self.left_visits[enrollment.current_visit_id] = (self.now, outcome[:40])
            self.ledger.leave(enrollment, enrollment.current_visit_id, enrollment.step_entered_at)
        enrollment.current_visit_id = None

    def _finish(self, enrollment: Enrollment, state: str) -> None:
        self._leave(enrollment, state)
        self.ledger.finish(enrollment, state)
        enrollment.finished_at = self.now

    def _note_arm(
        self, enrollment: Enrollment, version: VersionInfo, step_id: str, outcome: str
    ) -> None:
        """A split path taken is an assignment (reports compare paths, holdouts too)."""
        visit = self.open_visits.get(id(enrollment))
        if visit is None or not version.spec.has_step(step_id):
            return
        step = version.spec.step(step_id)
        arm = type_of(step).arm(step, outcome, version.spec)
        if arm is not None:
            self.ledger.assign(enrollment, visit, arm[0], arm[1])

    def _plan_message(
        self,
        enrollment: Enrollment,
        version: VersionInfo,
        command: SendMessage,
        journey_name: str,
        row: TraceRow,
    ) -> None:
        visit = self.open_visits.get(id(enrollment))
        step = version.spec.step(command.step_id)
        assert visit is not None, f"no visit open at {command.step_id}"
        variants = type_of(step).variants(step)
        variant = next(v for v in variants if v.name == command.variant_name)
        visit.variant_id = version.variant_ids.get((command.step_id, variant.name))
        self.ledger.assign(enrollment, visit, variant.name, False)
        self.messages.append(
            _PlannedMessage(
                enrollment=enrollment,
                step_key=command.step_id,
                visit=visit,
                channel=command.channel,
                content=variant.content(),
                variant_id=visit.variant_id,
                context=self._context(enrollment, journey_name),
                trace=row,
            )
        )

    def _context(self, enrollment: Enrollment, journey_name: str) -> dict[str, Any]:
        return {
            "event": template_event(enrollment.last_event_data),
            "journey": {"name": journey_name},
        }

    def _update_traits(self, enrollment: Enrollment, command: UpdateTraits) -> None:
        """Traits the reducer accepted: raw values, plus the well-known ones' own fields."""
        contact = self.contacts[enrollment.contact_id]
        values = command.as_dict()
        known = extract_known_traits(values)
        contact.traits = {**(contact.traits or {}), **values}
        for name, value in known.as_fields().items():
            setattr(contact, name, value)
        self.changed_contacts.add(contact.pk)

    # --- writing -----------------------------------------------------------------------

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
        for to, text in self.notes:
            transaction.on_commit(functools.partial(outbox_notify, target=to, text=text))

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
            )
            for planned in self.messages
        ]
        results = outbox_queue_many(messages=requests, now=self.now)
        for planned, queued in zip(self.messages, results, strict=True):
            self._explain(planned, queued)

    def _explain(self, planned: _PlannedMessage, queued: QueuedMessage) -> None:
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
    "visit_count",
    "furthest_position",
    "step_entered_at",
    "current_visit_id",
    "finished_at",
    "updated_at",
]


def history_since(now: datetime) -> datetime:
    """How far back entry decisions look at a contact's events."""
    return now - timedelta(days=settings.ENGINE_HISTORY_DAYS)
