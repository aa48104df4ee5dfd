"""One transaction's worth of engine work: decide in memory, then write in a few queries.

A `Batch` is filled by journeys.run.enrollments (events and wake-ups). Each decision
is folded by journeys.core.reducer (the simulator's reducer too) and carried out on in-memory
rows first, so later events of the same contact in the batch see the earlier ones'
effects; `flush` (journeys.run.batch_writing) then writes new enrollments, step visits,
messages (through the outbox, keyed by step visit), enrollment updates and traces, in that
order. The contacts' past events are read through journeys.run.batch_history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings

from channels.delivery.sending import contact_context
from channels.registry import channel_facts
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
from journeys.core.scope import names_in_reach, scopes_at, templates_see
from journeys.core.steps import type_of
from journeys.core.traits import extract_known_traits
from journeys.models import Contact, Enrollment, StepVisit
from journeys.run.batch_history import BatchHistory
from journeys.run.batch_writing import BatchWriting, PlannedMessage
from journeys.run.engine_views import event_snapshot
from journeys.run.failures import StepFailure
from journeys.run.notes import note_render
from journeys.run.report_rows import Ledger
from journeys.run.selectors import VersionInfo
from journeys.run.traces import TraceRow, trace_row


@dataclass
class Batch(BatchHistory, BatchWriting):
    """Decisions of one transaction, applied in memory and written by `flush`."""

    now: datetime
    contacts: dict[int, Contact]
    history: dict[int, list[EventView]] = field(default_factory=dict)
    new_enrollments: list[Enrollment] = field(default_factory=list)
    touched: dict[int, Enrollment] = field(default_factory=dict)
    new_visits: list[StepVisit] = field(default_factory=list)
    left_visits: dict[int, tuple[datetime, str]] = field(default_factory=dict)
    messages: list[PlannedMessage] = field(default_factory=list)
    traces: list[TraceRow] = field(default_factory=list)
    changed_contacts: set[int] = field(default_factory=set)
    notes: list[tuple[str, str, str]] = field(default_factory=list)  # (to, text, journey)
    open_visits: dict[int, StepVisit] = field(default_factory=dict)
    # Visits are linked to their enrollments by object until flush() knows the ids.
    visit_owner: dict[int, Enrollment] = field(default_factory=dict)
    # Assignments, conversions and report counters of the same rows (report_rows.py).
    ledger: Ledger = field(init=False)

    def __post_init__(self) -> None:
        self.ledger = Ledger(now=self.now)

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
            _moved_by(enrollment, event)
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

    def fail(self, enrollment: Enrollment, sentence: str) -> None:
        """Park an enrollment the worker could not get past (journeys.run.isolation):
        it blocks nothing, and the contact page says why (`sentence`)."""
        self._finish(enrollment, "failed")
        enrollment.state, enrollment.wake_at = Enrollment.State.FAILED, None
        enrollment.revision += 1
        enrollment.updated_at = self.now
        self._touch(enrollment)
        line = TraceLine("engine.parked", sentence, {})
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
        """The rows one command touches; the enrollment's own state comes from the reducer.

        Whatever it raises names the step (journeys.run.failures)."""
        try:
            self._carry_out(enrollment, version, command, journey_name, row)
        except Exception as exc:
            raise StepFailure.of(exc, step_key=getattr(command, "step_id", "")) from exc

    def _carry_out(
        self,
        enrollment: Enrollment,
        version: VersionInfo,
        command: Command,
        journey_name: str,
        row: TraceRow,
    ) -> None:
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
            case Notify(step_id=step_id, to=to, text=text):
                contact = self.contacts[enrollment.contact_id]
                context = self._context(enrollment, version, step_id, journey_name)
                note = note_render(text, contact_context(contact), context)
                self.notes.append((to, note, journey_name))
            case UseEvent(event=event):
                _moved_by(enrollment, event)
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
        variants = type_of(step).variants(step, channel_facts())
        variant = next(v for v in variants if v.name == command.variant_name)
        visit.variant_id = version.variant_ids.get((command.step_id, variant.name))
        self.ledger.assign(enrollment, visit, variant.name, False)
        self.messages.append(
            PlannedMessage(
                enrollment=enrollment,
                step_key=command.step_id,
                visit=visit,
                channel=command.channel,
                content=variant.in_language(command.language).content(),
                language=(command.language, command.language_reason),
                variant_id=visit.variant_id,
                context=self._context(enrollment, version, command.step_id, journey_name),
                trace=row,
            )
        )

    def _context(
        self, enrollment: Enrollment, version: VersionInfo, step_id: str, journey_name: str
    ) -> dict[str, Any]:
        """What the step's templates see: the events in reach there (journeys.core.scope)."""
        names = names_in_reach(scopes_at(version.spec, step_id))
        seen = enrollment.events_data or {}
        moved_by = (enrollment.last_event_data or {}).get("name")
        return templates_see(names, seen, moved_by) | {"journey": {"name": journey_name}}

    def _update_traits(self, enrollment: Enrollment, command: UpdateTraits) -> None:
        """Traits the reducer accepted: raw values, plus the well-known ones' own fields."""
        contact = self.contacts[enrollment.contact_id]
        values = command.as_dict()
        known = extract_known_traits(values)
        contact.traits = {**(contact.traits or {}), **values}
        for name, value in known.as_fields().items():
            setattr(contact, name, value)
        self.changed_contacts.add(contact.pk)


def history_since(now: datetime) -> datetime:
    """How far back entry decisions look at a contact's events."""
    return now - timedelta(days=settings.ENGINE_HISTORY_DAYS)


def _moved_by(enrollment: Enrollment, event: EventView) -> None:
    """Remember the event that moved the enrollment (templates of later steps may use it)."""
    snapshot = event_snapshot(event)
    enrollment.last_event_id = int(event.id) if event.id is not None else None
    enrollment.last_event_data = snapshot
    enrollment.events_data = {**(enrollment.events_data or {}), event.name: snapshot}
