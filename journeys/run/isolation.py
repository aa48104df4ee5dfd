"""The per-contact failure boundary: one contact's data can stop only that contact's work.

The worker runs a batch (new events, or due timers) inside a savepoint. When it raises,
the part at fault is found — named by the StepFailure the engine raised, else by halving
the batch — and set aside, and the rest runs again and commits. Work set aside is held
and retried with backoff (ENGINE_RETRY_ATTEMPTS, ENGINE_RETRY_BASE_SECONDS); after the
last try it is parked: the contact's enrollment in that journey fails with the reason
(or, when no journey is to blame, the event is set aside) and everything else goes on.
A contact's later events wait behind its held one, so its events keep their order.
Staff read why on the contact page and in the journey's problems (contact_problems)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from django.db import OperationalError, transaction
from django.db.models import Max

from journeys.models import Contact, Enrollment, Event, Journey
from journeys.run.contact_problems import (
    ProblemLog,
    parked_words,
    problems_resolve,
    retry_delay,
)
from journeys.run.enrollment_batch import Batch
from journeys.run.failures import StepFailure

logger = logging.getLogger(__name__)
HandleEvents = Callable[..., None]  # journeys.run.enrollments.enrollments_handle_events
WakeRows = Callable[..., None]  # journeys.run.enrollments._wake


class _Policy[K: Hashable](Protocol):
    def work(self, keys: list[K]) -> None: ...
    def key_of(self, failure: StepFailure) -> K | None: ...
    def set_aside(self, key: K, failure: StepFailure) -> bool: ...


def _isolate[K: Hashable](policy: _Policy[K], keys: list[K]) -> None:
    """Run the keys' work in a savepoint; whatever raises, set the key at fault aside (the
    policy says whether part of it runs again) and run the rest again."""
    keys = list(keys)
    for _ in range(8 * len(keys) + 8):  # each round removes a key or parks part of one
        if not keys:
            return
        try:
            with transaction.atomic():
                policy.work(keys)
            return
        except Exception as exc:
            if transaction.get_rollback() or isinstance(exc, OperationalError):
                # The database, not a contact's data (a lock, a lost connection, a
                # deadlock): the whole batch rolls back and is taken again, as before.
                raise
            named = policy.key_of(exc) if isinstance(exc, StepFailure) else None
            if named not in keys and len(keys) > 1:
                half = len(keys) // 2
                _isolate(policy, keys[:half])
                _isolate(policy, keys[half:])
                return
            key = named if named in keys else keys[0]
            logger.warning("worker.contact_failed", exc_info=exc, extra={"key": str(key)})
            if not policy.set_aside(key, StepFailure.of(exc)):
                keys.remove(key)
    raise RuntimeError("the failure boundary made no progress")


@dataclass(frozen=True)
class EventOutcome:
    finished: list[Event]  # handled or parked: mark them processed
    held: list[Event]  # wait for their retry


def events_isolated(
    *, events: Sequence[Event], now: datetime, contacts: dict[int, Contact], handle: HandleEvents
) -> EventOutcome:
    """Run `handle` (enrollments_handle_events) over a claimed batch so that one contact's
    failure holds only that contact's events. Inside the batch's transaction."""
    ready, waiting = _behind_held(events, now)
    log = ProblemLog(now)
    policy = _Events(ready, now, contacts, handle, log)
    _isolate(policy, sorted({event.contact_id for event in ready}))
    policy.stop_parked()
    log.write()
    finished = [e for e in ready if e.contact_id not in policy.held or e.pk in policy.parked]
    held = [e for e in ready if e.contact_id in policy.held and e.pk not in policy.parked]
    retried = [e.pk for e in finished if e.retry_at is not None and e.pk not in policy.parked]
    problems_resolve(event_ids=retried)
    return EventOutcome(finished=finished, held=held + waiting)


def _behind_held(events: Sequence[Event], now: datetime) -> tuple[list[Event], list[Event]]:
    """A contact with an event waiting for its retry: its other events wait with it."""
    held = dict(
        Event.objects.filter(
            contact_id__in={event.contact_id for event in events},
            processed_at__isnull=True,
            retry_at__gt=now,
        )
        .values("contact_id")
        .annotate(until=Max("retry_at"))
        .values_list("contact_id", "until")
    )
    if not held:
        return list(events), []
    waiting = [event for event in events if event.contact_id in held]
    for contact_id, until in held.items():
        Event.objects.filter(pk__in=[e.pk for e in waiting if e.contact_id == contact_id]).update(
            retry_at=until
        )
    return [event for event in events if event.contact_id not in held], waiting


class _Events:
    """Keys are contact ids; a contact's events run (and fail) together."""

    def __init__(
        self,
        events: list[Event],
        now: datetime,
        contacts: dict[int, Contact],
        handle: HandleEvents,
        log: ProblemLog,
    ) -> None:
        self.now, self.contacts, self.handle, self.log = now, contacts, handle, log
        self.by_contact: dict[int, list[Event]] = {}
        for event in sorted(events, key=lambda e: (e.timestamp, e.pk)):
            self.by_contact.setdefault(event.contact_id, []).append(event)
        self.fresh = True  # False once an attempt failed: in-memory contacts may be stale
        self.skip: set[tuple[int, int]] = set()  # (contact, journey) parked
        self.stops: dict[int, str] = {}  # enrollment id -> why it stopped
        self.parked: set[int] = set()  # events set aside: processed without their work
        self.held: set[int] = set()  # contacts whose events wait for a retry

    def work(self, keys: list[int]) -> None:
        contacts = self.contacts if self.fresh else Contact.objects.in_bulk(keys)
        events = [e for key in keys for e in self.by_contact[key] if e.pk not in self.parked]
        self.handle(events=events, now=self.now, contacts=contacts, skip=self.skip)

    def key_of(self, failure: StepFailure) -> int | None:
        return failure.culprit.contact_id

    def set_aside(self, key: int, failure: StepFailure) -> bool:
        self.fresh = False
        mine = [event for event in self.by_contact[key] if event.pk not in self.parked]
        event = next((e for e in mine if e.pk == failure.culprit.event_id), mine[0])
        failure = StepFailure.of(failure, contact_id=key, event_id=event.pk, event_name=event.name)
        attempts = self.log.attempts_before(event=event, enrollment_id=None) + 1
        if not self.log.failed(failure, event=event, attempts=attempts):
            self.log.hold_events(mine, self.now + retry_delay(attempts))
            self.held.add(key)
            return False
        culprit = failure.culprit
        if culprit.journey_id is not None and (key, culprit.journey_id) not in self.skip:
            self.skip.add((key, culprit.journey_id))
            if culprit.enrollment_id is not None:
                self.stops[culprit.enrollment_id] = parked_words(culprit, failure.reason, attempts)
            return True
        self.parked.add(event.pk)
        return len(mine) > 1

    def stop_parked(self) -> None:
        _stop_enrollments(self.stops, now=self.now)


def wakes_isolated(*, rows: Sequence[Enrollment], now: datetime, wake: WakeRows) -> set[int]:
    """Run `wake` (due timers) over claimed enrollments so that one failing enrollment is
    held or parked alone; return the ids handled. Inside the batch's transaction."""
    log = ProblemLog(now)
    policy = _Wakes(rows, now, wake, log)
    _isolate(policy, sorted(row.pk for row in rows))
    _stop_enrollments(policy.stops, now=now)
    log.write()
    done = {row.pk for row in rows} - policy.set_apart
    problems_resolve(enrollment_ids=[r.pk for r in rows if r.pk in done and r.retry_at])
    return done


class _Wakes:
    """Keys are enrollment ids: each timer runs (and fails) alone."""

    def __init__(
        self, rows: Sequence[Enrollment], now: datetime, wake: WakeRows, log: ProblemLog
    ) -> None:
        self.rows = {row.pk: row for row in rows}
        self.now, self.wake, self.log = now, wake, log
        self.fresh = True
        self.stops: dict[int, str] = {}
        self.set_apart: set[int] = set()

    def work(self, keys: list[int]) -> None:
        rows = [self.rows[key] for key in keys] if self.fresh else _reload(keys)
        self.wake(rows, now=self.now)

    def key_of(self, failure: StepFailure) -> int | None:
        return failure.culprit.enrollment_id

    def set_aside(self, key: int, failure: StepFailure) -> bool:
        self.fresh = False
        self.set_apart.add(key)
        row = self.rows[key]
        name = failure.culprit.journey_name or _journey_name(row.journey_id)
        failure = StepFailure.of(
            failure,
            contact_id=row.contact_id,
            journey_id=row.journey_id,
            journey_name=name,
            step_key=row.step_key,
            enrollment_id=key,
        )
        attempts = self.log.attempts_before(event=None, enrollment_id=key) + 1
        if self.log.failed(failure, event=None, attempts=attempts):
            self.stops[key] = parked_words(failure.culprit, failure.reason, attempts)
        else:
            self.log.hold_enrollment(key, self.now + retry_delay(attempts))
        return False


def _reload(keys: list[int]) -> list[Enrollment]:
    return list(Enrollment.objects.filter(pk__in=keys).order_by("pk"))


def _journey_name(journey_id: int) -> str:
    return Journey.objects.filter(pk=journey_id).values_list("name", flat=True).first() or ""


def _stop_enrollments(stops: dict[int, str], *, now: datetime) -> None:
    """Parked enrollments fail with their sentence (their contacts are locked already)."""
    if not stops:
        return
    rows = list(
        Enrollment.objects.filter(pk__in=list(stops), state__in=Enrollment.OPEN_STATES)
        .order_by("pk")
        .select_for_update(of=("self",))
    )
    contacts = Contact.objects.in_bulk([row.contact_id for row in rows])
    batch = Batch(now=now, contacts=contacts)
    for row in rows:
        batch.fail(row, stops[row.pk])
    batch.flush()
