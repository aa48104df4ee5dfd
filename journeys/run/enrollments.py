"""Enrollments: entering contacts into live journeys and moving them along, in batches.

Called by the worker (journeys.tasks) inside the transaction that claimed the work: a batch
of new events, or a batch of due wake-ups. Each batch costs a handful of queries whatever
its size; see docs/engine.md for the exactly-once reasoning."""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from django.conf import settings
from django.db import transaction

from journeys.core.engine import EnrollmentState as EngineState
from journeys.core.engine import (
    EventStimulus,
    EventView,
    PriorEnrollment,
    Status,
    TimeStimulus,
    TraceLine,
    decide,
    decide_entry,
    initial_state,
)
from journeys.core.trigger_copy import trigger_copy
from journeys.models import Contact, Enrollment, Event, Journey, Source
from journeys.run.conversions import GoalEvent, goal_event_names
from journeys.run.engine_views import contact_view, event_view, snapshot_view
from journeys.run.enrollment_batch import Batch, history_since
from journeys.run.failures import StepFailure
from journeys.run.isolation import wakes_isolated
from journeys.run.locks import (
    claim_due_enrollments,
    lock_contacts,
    lock_open_enrollments,
    try_lock_contacts,
)
from journeys.run.selectors import VersionInfo, version_info


@dataclass(frozen=True)
class _Journey:
    id: int
    key: str
    name: str
    status: str
    version: VersionInfo | None


def enrollments_handle_events(
    *,
    events: Sequence[Event],
    now: datetime,
    contacts: dict[int, Contact] | None = None,
    skip: Collection[tuple[int, int]] = (),
) -> None:
    """Enter, advance, convert or exit enrollments for a batch of new events.

    Call inside the transaction that claimed the events; `contacts` are the batch's contacts
    already locked by the caller (else they are locked here, in id order). `skip` holds
    (contact id, journey id) pairs whose work was parked (journeys.run.isolation).
    Whatever one (contact, journey) raises comes out as a StepFailure naming them."""
    if not events:
        return
    goal_names = goal_event_names()
    goals = [GoalEvent(e.contact_id, event_view(e)) for e in events if e.name in goal_names]
    journeys = _running_journeys()
    names = set().union(*(j.version.event_names for j in journeys.values() if j.version))
    relevant = [event for event in events if event.name in names]
    if not relevant and not goals:
        return
    contact_ids = {event.contact_id for event in relevant} | {g.contact_id for g in goals}
    if contacts is None:
        contacts = lock_contacts(contact_ids=contact_ids)
    batch = Batch(now=now, contacts=_with_sources(contacts, contact_ids))
    # The goal is watched for every enrollment, whatever its state (services/conversions).
    batch.ledger.goal_events = goals
    if not relevant:
        batch.flush()
        return
    open_rows = lock_open_enrollments(contact_ids=contact_ids)
    versions = {row.version_id: version_info(row.version_id) for row in open_rows}
    since = min([history_since(now), *(row.trigger_at for row in open_rows)])
    batch.load_history(names=names | _names(versions.values()), since=since)
    router = _Router(batch, journeys, versions, open_rows, skip=frozenset(skip))
    router.load_priors(relevant)
    for event in sorted(relevant, key=lambda e: (e.timestamp, e.pk)):
        router.handle(event_view(event), event.contact_id)
    batch.flush()


def enrollments_wake_due(
    *, now: datetime, batch_size: int | None = None, deadline: float | None = None
) -> int:
    """Advance waiting enrollments whose timers are due, batch after batch until none is
    left, the rest is held by another worker, or `deadline` (time.monotonic()) passes;
    return how many were handled. What is left waits for the next sweep."""
    limit = batch_size or settings.ENGINE_WAKE_BATCH_SIZE
    total = 0
    for _ in range(1000):
        handled = _wake_batch(now=now, limit=limit)
        total += handled
        if handled < limit or (deadline is not None and time.monotonic() >= deadline):
            break
    return total


@transaction.atomic
def _wake_batch(*, now: datetime, limit: int) -> int:
    rows = claim_due_enrollments(now=now, limit=limit)
    # An enrollment whose contact an event batch holds right now waits for the next sweep.
    free = try_lock_contacts(contact_ids={row.contact_id for row in rows})
    ready = [row for row in rows if row.contact_id in free]
    if ready:
        wakes_isolated(rows=ready, now=now, wake=_wake)
    return len(rows)


@transaction.atomic
def enrollment_wake(*, enrollment_id: int, revision: int, now: datetime) -> bool:
    """Wake one enrollment if it is still the one scheduled: same revision, waiting, due.

    A stale wake-up (the enrollment moved on since) changes nothing and returns False."""
    row = (
        Enrollment.objects.select_for_update(of=("self",))
        .filter(pk=enrollment_id, revision=revision, state=Enrollment.State.WAITING)
        .filter(wake_at__lte=now, journey__status=Journey.Status.LIVE)
        .first()
    )
    if row is None or not try_lock_contacts(contact_ids=[row.contact_id]):
        return False
    return bool(wakes_isolated(rows=[row], now=now, wake=_wake))


def _wake(rows: list[Enrollment], *, now: datetime) -> None:
    contact_ids = {row.contact_id for row in rows}
    contacts = Contact.objects.select_related("source").in_bulk(list(contact_ids))
    batch = Batch(now=now, contacts=contacts)
    versions = {row.version_id: version_info(row.version_id) for row in rows}
    since = min(row.trigger_at for row in rows)
    batch.load_history(names=set(_names(versions.values())), since=since)
    names = dict(
        Journey.objects.filter(pk__in={r.journey_id for r in rows}).values_list("pk", "name")
    )
    for row in rows:
        name = names.get(row.journey_id, "")
        try:
            _wake_one(batch, row, versions[row.version_id], name)
        except Exception as exc:  # the per-contact boundary (run/isolation) takes it
            raise StepFailure.of(
                exc,
                contact_id=row.contact_id,
                journey_id=row.journey_id,
                journey_name=name,
                step_key=row.step_key,
                enrollment_id=row.pk,
            ) from exc
    batch.flush()


def _wake_one(batch: Batch, row: Enrollment, version: VersionInfo, journey_name: str) -> None:
    assert row.wake_at is not None  # claimed because it is due
    stimulus = TimeStimulus(scheduled_for=row.wake_at)
    state = _state(batch, row, version, upto=None)
    decision = decide(state, stimulus, version.spec, now=batch.now)
    batch.apply(row, version, state, stimulus, decision, journey_name=journey_name)


def _state(
    batch: Batch, row: Enrollment, version: VersionInfo, *, upto: EventView | None
) -> EngineState:
    contact = batch.contacts[row.contact_id]
    return EngineState(
        enrollment_id=row.pk,
        contact=contact_view(contact),
        journey_key=version.spec.key,
        journey_version=version.number,
        step_id=row.step_key or None,
        state=cast(Status, row.state),
        entered_at=row.entered_at,
        step_entered_at=row.step_entered_at,
        wake_at=row.wake_at,
        last_event=snapshot_view(row.last_event_data),
        events=batch.events_between(row.contact_id, since=row.trigger_at, upto=upto),
    )


class _Router:
    """Sends each event of a batch to the contact's open enrollments and to entry checks."""

    def __init__(
        self,
        batch: Batch,
        journeys: dict[int, _Journey],
        versions: dict[int, VersionInfo],
        open_rows: list[Enrollment],
        *,
        skip: frozenset[tuple[int, int]] = frozenset(),
    ) -> None:
        self.batch = batch
        self.skip = skip
        self.journeys = journeys
        self.versions = versions
        self.open: dict[tuple[int, int], Enrollment] = {
            (row.contact_id, row.journey_id): row for row in open_rows
        }
        self.priors: dict[tuple[int, int], list[PriorEnrollment]] = {}

    def load_priors(self, events: Sequence[Event]) -> None:
        """Past enrollments of contacts whose events trigger a live journey (re-entry rule)."""
        triggers = {
            j.version.spec.trigger.event
            for j in self.journeys.values()
            if j.version and j.status == Journey.Status.LIVE
        }
        contact_ids = {e.contact_id for e in events if e.name in triggers}
        if not contact_ids:
            return
        rows = Enrollment.objects.filter(
            contact_id__in=contact_ids, journey_id__in=list(self.journeys)
        ).exclude(state__in=Enrollment.OPEN_STATES)
        for contact_id, journey_id, state, entered, finished in rows.values_list(
            "contact_id", "journey_id", "state", "entered_at", "finished_at"
        ):
            self.priors.setdefault((contact_id, journey_id), []).append(
                PriorEnrollment(state=state, entered_at=entered, finished_at=finished)
            )

    def handle(self, event: EventView, contact_id: int) -> None:
        for journey in self.journeys.values():
            if (contact_id, journey.id) in self.skip:
                continue
            row = self.open.get((contact_id, journey.id))
            try:
                self._route(row, journey, event, contact_id)
            except Exception as exc:  # the per-contact boundary (run/isolation) takes it
                raise StepFailure.of(
                    exc,
                    contact_id=contact_id,
                    journey_id=journey.id,
                    journey_name=journey.name,
                    step_key=row.step_key if row is not None else "",
                    event_id=int(event.id) if event.id is not None else None,
                    event_name=event.name,
                    enrollment_id=row.pk if row is not None else None,
                ) from exc

    def _route(
        self, row: Enrollment | None, journey: _Journey, event: EventView, contact_id: int
    ) -> None:
        if row is not None:
            self._advance(row, journey, event)
        if journey.version is not None and event.name == journey.version.spec.trigger.event:
            self._maybe_enter(journey, journey.version, event, contact_id)

    def _advance(self, row: Enrollment, journey: _Journey, event: EventView) -> None:
        version = self.versions[row.version_id]
        if event.name not in version.event_names:
            return
        if journey.status != Journey.Status.LIVE:
            line = TraceLine(
                "journey.paused",
                f'Held: "{event.name}" arrived while the journey was paused; '
                f'the enrollment stays at "{row.step_key}".',
                {"event": event.name},
            )
            self.batch.trace(
                [line], contact_id=row.contact_id, journey_id=journey.id, enrollment=row
            )
            return
        state = _state(self.batch, row, version, upto=event)
        stimulus = EventStimulus(event=event)
        decision = decide(state, stimulus, version.spec, now=self.batch.now)
        self.batch.apply(row, version, state, stimulus, decision, journey_name=journey.name)
        if not row.is_open:
            self._close(row)

    def _maybe_enter(
        self, journey: _Journey, version: VersionInfo, event: EventView, contact_id: int
    ) -> None:
        batch = self.batch
        if journey.status != Journey.Status.LIVE:
            line = TraceLine(
                "entry.paused",
                f'Not enrolled: "{journey.name}" is paused, so "{event.name}" starts nothing.',
                {"event": event.name},
            )
            batch.trace([line], contact_id=contact_id, journey_id=journey.id, enrollment=None)
            return
        key = (contact_id, journey.id)
        contact = contact_view(batch.contacts[contact_id])
        priors = list(self.priors.get(key, []))
        current = self.open.get(key)
        if current is not None:
            priors.append(PriorEnrollment(state=current.state, entered_at=current.entered_at))
        entry = decide_entry(
            spec=version.spec,
            contact=contact,
            event=event,
            history=batch.events_before(contact_id, event),
            active_or_past=priors,
            now=batch.now,
        )
        if not entry.enroll:
            batch.trace(entry.trace, contact_id=contact_id, journey_id=journey.id, enrollment=None)
            return
        self._enter(journey, version, event, contact_id, entry.trace)

    def _enter(
        self,
        journey: _Journey,
        version: VersionInfo,
        event: EventView,
        contact_id: int,
        entry_trace: tuple[TraceLine, ...],
    ) -> None:
        batch = self.batch
        now = batch.now
        row = Enrollment(
            contact_id=contact_id,
            journey_id=journey.id,
            version_id=version.id,
            entry_version_id=version.id,
            state=Enrollment.State.ACTIVE,
            trigger_at=event.timestamp or now,
            trigger_data=trigger_copy(event.properties),
            entered_at=now,
            step_entered_at=now,
            updated_at=now,
        )
        batch.new_enrollments.append(row)
        batch.ledger.new_enrollment(row)
        batch.ledger.entry_events.append((row, (event.timestamp or now, int(event.id or 0))))
        self.versions[version.id] = version
        self.open[(contact_id, journey.id)] = row
        batch.trace(entry_trace, contact_id=contact_id, journey_id=journey.id, enrollment=row)
        state = initial_state(
            enrollment_id=None,
            contact=contact_view(batch.contacts[contact_id]),
            spec=version.spec,
            version=version.number,
            event=event,
            now=now,
        )
        stimulus = EventStimulus(event=event)
        decision = decide(state, stimulus, version.spec, now=now)
        batch.apply(row, version, state, stimulus, decision, journey_name=journey.name)
        if not row.is_open:
            self._close(row)

    def _close(self, row: Enrollment) -> None:
        key = (row.contact_id, row.journey_id)
        self.open.pop(key, None)
        self.priors.setdefault(key, []).append(
            PriorEnrollment(state=row.state, entered_at=row.entered_at, finished_at=row.finished_at)
        )


def _running_journeys() -> dict[int, _Journey]:
    """Live and paused journeys with their newest version (one query, specs cached)."""
    rows = Journey.objects.filter(
        status__in=[Journey.Status.LIVE, Journey.Status.PAUSED], current_version__isnull=False
    ).values_list("pk", "key", "name", "status", "current_version_id")
    return {
        pk: _Journey(pk, key, name, status, version_info(version_id))
        for pk, key, name, status, version_id in rows
    }


def _names(versions: Iterable[VersionInfo]) -> set[str]:
    return set().union(*(version.event_names for version in versions))


def _with_sources(contacts: dict[int, Contact], contact_ids: set[int]) -> dict[int, Contact]:
    """The contacts of these ids with their sources (for the time-zone fallback)."""
    missing = [pk for pk in contact_ids if pk not in contacts]
    found = {pk: contacts[pk] for pk in contact_ids if pk in contacts}
    if missing:
        found |= Contact.objects.in_bulk(missing)
    source_ids = {c.source_id for c in found.values() if c.source_id}
    if source_ids:
        sources = Source.objects.in_bulk(list(source_ids))
        for contact in found.values():
            if contact.source_id:
                contact.source = sources[contact.source_id]
    return found
