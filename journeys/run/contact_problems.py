"""The record of work one contact's data made fail: retries with backoff, then parking.

journeys.run.isolation decides what is held and what is parked; this module counts
the attempts, says so in plain words (a decision trace on the contact's page, a
ContactProblem row for the journey's problems list) and writes it all once the batch's
good work is done, in the batch's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q, QuerySet

from journeys.core.engine import TraceLine
from journeys.models import ContactProblem, Enrollment, Event
from journeys.run.failures import Culprit, StepFailure, clean, where_words
from journeys.run.traces import TraceRow, trace_row, traces_write


def retry_delay(attempts: int) -> timedelta:
    """How long work that failed `attempts` times waits: the base, then 4x longer each time."""
    return timedelta(seconds=settings.ENGINE_RETRY_BASE_SECONDS * 4 ** max(0, attempts - 1))


def wait_words(delay: timedelta) -> str:
    seconds = int(delay.total_seconds())
    if seconds < 120:
        return f"{seconds} seconds"
    if seconds < 7200:
        return f"{seconds // 60} minutes"
    return f"{seconds // 3600} hours"


@dataclass
class _Entry:
    culprit: Culprit
    reason: str
    attempts: int
    event: Event | None
    retry_at: datetime | None  # None: parked


class ProblemLog:
    """What failed in one batch, written by `write` after the batch's good work."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self.entries: list[_Entry] = []
        self.held_events: dict[int, datetime] = {}  # event id -> retry at
        self.held_enrollments: dict[int, datetime] = {}

    def attempts_before(self, *, event: Event | None, enrollment_id: int | None) -> int:
        """How many times this work failed before (its open problem's count)."""
        return max(_open(event, enrollment_id).values_list("attempts", flat=True), default=0)

    def failed(self, failure: StepFailure, *, event: Event | None, attempts: int) -> bool:
        """Note one more failure; True when it was the last try (the work is parked)."""
        last = attempts >= settings.ENGINE_RETRY_ATTEMPTS
        retry_at = None if last else self.now + retry_delay(attempts)
        self.entries.append(_Entry(failure.culprit, failure.reason, attempts, event, retry_at))
        return last

    def hold_events(self, events: Iterable[Event], until: datetime) -> None:
        for event in events:
            self.held_events[event.pk] = until

    def hold_enrollment(self, enrollment_id: int, until: datetime) -> None:
        self.held_enrollments[enrollment_id] = until

    def write(self) -> None:
        """Problems, traces and retry times; call in the batch's transaction, after its work."""
        for until in sorted(set(self.held_events.values())):
            ids = [pk for pk, at in self.held_events.items() if at == until]
            Event.objects.filter(pk__in=ids).update(retry_at=until)
        for pk, until in sorted(self.held_enrollments.items()):
            Enrollment.objects.filter(pk=pk).update(retry_at=until)
        traces = []
        for entry in self.entries:
            self._save(entry)
            if entry.retry_at is not None or entry.culprit.enrollment_id is None:
                traces.append(self._trace(entry))
        traces_write(rows=traces)

    def _save(self, entry: _Entry) -> None:
        culprit = entry.culprit
        fields = {
            "contact_id": culprit.contact_id,
            "journey_id": culprit.journey_id,
            "enrollment_id": _existing(culprit.enrollment_id),
            "event_name": clean(culprit.event_name, 200),
            "step_key": culprit.step_key[:100],
            "reason": entry.reason,
            "attempts": entry.attempts,
            "retry_at": entry.retry_at,
            "parked_at": None if entry.retry_at else self.now,
            "last_at": self.now,
        }
        if not _open(entry.event, culprit.enrollment_id).update(**fields):
            event_id = entry.event.pk if entry.event is not None else None
            ContactProblem.objects.create(event_id=event_id, first_at=self.now, **fields)

    def _trace(self, entry: _Entry) -> TraceRow:
        culprit = entry.culprit
        code, text = ("engine.retry", retry_words(entry)) if entry.retry_at else (
            "engine.parked", parked_words(culprit, entry.reason, entry.attempts))  # fmt: skip
        return trace_row(
            lines=[TraceLine(code, text, {"attempts": entry.attempts})],
            contact_id=culprit.contact_id or 0,
            journey_id=culprit.journey_id,
            enrollment_id=_existing(culprit.enrollment_id),
            at=self.now,
        )


def _open(event: Event | None, enrollment_id: int | None) -> QuerySet[ContactProblem]:
    """The open problem of this event's work, or (no event) of this enrollment's timer."""
    rows = ContactProblem.objects.filter(parked_at__isnull=True)
    if event is not None:
        return rows.filter(event_id=event.pk)
    return rows.filter(Q(enrollment_id=enrollment_id), event__isnull=True)


def _existing(enrollment_id: int | None) -> int | None:
    if enrollment_id is None or not Enrollment.objects.filter(pk=enrollment_id).exists():
        return None
    return enrollment_id


def retry_words(entry: _Entry) -> str:
    delay = retry_delay(entry.attempts)
    return (
        f"Held: {where_words(entry.culprit)} failed for this person: {entry.reason}. "
        f"Stepwise tries again in {wait_words(delay)} "
        f"(try {entry.attempts} of {settings.ENGINE_RETRY_ATTEMPTS})."
    )


def parked_words(culprit: Culprit, reason: str, attempts: int) -> str:
    """The sentence staff read when work is parked."""
    tries = "once" if attempts == 1 else f"{attempts} times"
    text = f"Stopped: {where_words(culprit)} failed for this person {tries}: {reason}."
    if culprit.journey_id is not None:
        return text + " This journey is stopped for them; everything else goes on."
    name = f"“{culprit.event_name}”" if culprit.event_name else "Their event"
    return text + f" {name} was set aside; everything else goes on."


def problems_resolve(*, event_ids: Iterable[int] = (), enrollment_ids: Iterable[int] = ()) -> None:
    """Work that was retried went through: its open problems are closed."""
    event_ids, enrollment_ids = list(event_ids), list(enrollment_ids)
    if event_ids:
        ContactProblem.objects.filter(event_id__in=event_ids, parked_at__isnull=True).delete()
    if enrollment_ids:
        ContactProblem.objects.filter(
            enrollment_id__in=enrollment_ids, event__isnull=True, parked_at__isnull=True
        ).delete()
        Enrollment.objects.filter(pk__in=enrollment_ids).update(retry_at=None)
