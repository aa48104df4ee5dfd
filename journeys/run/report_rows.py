"""The report side of a worker batch: assignments, conversions and counter deltas.

A `Ledger` rides along with journeys.run.enrollment_batch.Batch. The batch tells it
what it did to each enrollment (entered a step, left one, was given an arm, finished);
at flush the ledger works out which visits reach a step for the first time, writes the
assignments and conversions, and adds every counter delta in one sorted upsert, all in
the batch's transaction. The rule each counter follows is journeys.reports.recount's."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from journeys.core import report_counters as m
from journeys.models import Assignment, Conversion, Enrollment, StepVisit
from journeys.models.bulk import insert_rows
from journeys.run.conversions import GoalEvent, conversions_find
from journeys.run.rollups import rollups_add

# A visit: the in-memory row of this batch, or the id of one written before.
VisitRef = StepVisit | int


@dataclass
class _Assigned:
    enrollment: Enrollment
    visit: StepVisit
    arm: str
    holdout: bool


@dataclass
class Ledger:
    now: datetime
    counts: m.Counts = field(default_factory=Counter)
    visit_version: dict[int, int] = field(default_factory=dict)  # id(visit) -> version id
    entered: list[tuple[Enrollment, StepVisit]] = field(default_factory=list)
    left: list[tuple[Enrollment, int]] = field(default_factory=list)  # visits written before
    gaps: list[tuple[Enrollment, VisitRef, float]] = field(default_factory=list)
    ended: list[tuple[Enrollment, str, VisitRef | None]] = field(default_factory=list)
    assigned: list[_Assigned] = field(default_factory=list)
    last_left: dict[int, tuple[VisitRef, datetime]] = field(default_factory=dict)
    goal_events: list[GoalEvent] = field(default_factory=list)
    # New enrollments and their triggers' (timestamp, event id): a goal event that converts
    # one must come after its trigger in the batch's order.
    entry_events: list[tuple[Enrollment, tuple[datetime, int]]] = field(default_factory=list)

    # --- what the batch did -----------------------------------------------------------

    def enter(self, enrollment: Enrollment, version_id: int, visit: StepVisit) -> None:
        self.visit_version[id(visit)] = version_id
        self.entered.append((enrollment, visit))
        previous = self.last_left.pop(id(enrollment), None)
        if previous is not None:
            ref, entered_at = previous
            self.gaps.append((enrollment, ref, (self.now - entered_at).total_seconds()))

    def leave(self, enrollment: Enrollment, ref: VisitRef, entered_at: datetime) -> None:
        self.last_left[id(enrollment)] = (ref, entered_at)
        if isinstance(ref, int):
            self.left.append((enrollment, ref))
        else:
            self._add(enrollment, self.visit_version[id(ref)], ref.step_id, m.WAITING, -1)

    def assign(self, enrollment: Enrollment, visit: StepVisit, arm: str, holdout: bool) -> None:
        self.assigned.append(_Assigned(enrollment, visit, arm[:100], holdout))

    def finish(self, enrollment: Enrollment, state: str) -> None:
        last = self.last_left.get(id(enrollment))
        self.ended.append((enrollment, state, last[0] if last else None))

    # --- at flush ---------------------------------------------------------------------

    def before_insert(self) -> None:
        """Count first visits and deepen furthest_position (before the rows are written)."""
        known = _pairs(
            StepVisit,
            {e.pk for e, _ in self.entered if e.pk is not None},
            {v.step_id for _, v in self.entered},
        )
        seen: set[tuple[int, int]] = set()
        for enrollment, visit in self.entered:
            version = self.visit_version[id(visit)]
            self._add(enrollment, version, visit.step_id, m.VISITS, 1)
            self._add(enrollment, version, visit.step_id, m.WAITING, 1)
            pair = (id(enrollment), visit.step_id)
            if (enrollment.pk, visit.step_id) in known or pair in seen:
                continue
            seen.add(pair)
            self._add(enrollment, version, visit.step_id, m.REACHED, 1)
            enrollment.furthest_position += 1

    def after_insert(self) -> None:
        """Assignments, conversions and every counter, once the enrollments have ids."""
        written = _steps_of([ref for _, ref in self.left] + self._db_refs())
        for enrollment, pk in self.left:
            version, step = written[pk]
            self._add(enrollment, version, step, m.WAITING, -1)
        for enrollment, ref, seconds in self.gaps:
            version, step = self._where(ref, written)
            self._add(enrollment, version, step, m.histogram_metric(m.GAP, seconds), 1)
        for enrollment, state, last in self.ended:
            if last is None:
                version, step = enrollment.version_id, m.JOURNEY
            else:
                version, step = self._where(last, written)
            self._add(enrollment, version, step, m.ended_metric(state), 1)
        self._write_assignments()
        self._write_conversions()
        rollups_add(self.counts)

    def _db_refs(self) -> list[int]:
        refs = [ref for _, ref, _ in self.gaps] + [ref for _, _, ref in self.ended]
        return [ref for ref in refs if isinstance(ref, int)]

    def _where(self, ref: VisitRef, written: dict[int, tuple[int, int]]) -> tuple[int, int]:
        if isinstance(ref, int):
            return written[ref]
        return self.visit_version[id(ref)], ref.step_id

    def _write_assignments(self) -> None:
        if not self.assigned:
            return
        enrollment_ids = {a.enrollment.pk for a in self.assigned}
        known = _pairs(Assignment, enrollment_ids, {a.visit.step_id for a in self.assigned})
        converted = dict(
            Conversion.objects.filter(enrollment_id__in=enrollment_ids).values_list(
                "enrollment_id", "seconds"
            )
        )
        rows = []
        for item in self.assigned:
            pair = (item.enrollment.pk, item.visit.step_id)
            if pair in known:
                continue
            known.add(pair)
            rows.append(
                Assignment(
                    enrollment_id=item.enrollment.pk,
                    step_id=item.visit.step_id,
                    arm=item.arm,
                    holdout=item.holdout,
                    assigned_at=self.now,
                )
            )
            version = self.visit_version[id(item.visit)]
            self._add(item.enrollment, version, item.visit.step_id, m.ASSIGNED, 1, item.arm)
            if item.enrollment.pk in converted:
                ttc = m.histogram_metric(m.TIME_TO_CONVERT, converted[item.enrollment.pk])
                for metric in (m.CONVERTED, ttc):
                    self._add(item.enrollment, version, item.visit.step_id, metric, 1, item.arm)
        insert_rows(Assignment, rows)

    def _write_conversions(self) -> None:
        if not self.goal_events:
            return
        entry_events = {enrollment.pk: at for enrollment, at in self.entry_events}
        found = conversions_find(events=self.goal_events, entry_events=entry_events)
        if not found:
            return
        insert_rows(Conversion, [c for c, _ in found])
        arms = (
            Assignment.objects.filter(enrollment_id__in=[c.enrollment_id for c, _ in found])
            .select_related("step")
            .values_list("enrollment_id", "step_id", "step__version_id", "arm")
        )
        by_enrollment: dict[int, list[tuple[int, int, str]]] = {}
        for enrollment_id, step_id, version_id, arm in arms:
            by_enrollment.setdefault(enrollment_id, []).append((step_id, version_id, arm))
        for conversion, enrollment in found:
            version = enrollment.entry_version_id or enrollment.version_id
            self._add(enrollment, version, m.JOURNEY, m.CONVERTED, 1)
            ttc = m.histogram_metric(m.TIME_TO_CONVERT, conversion.seconds)
            self._add(enrollment, version, m.JOURNEY, ttc, 1)
            for step_id, step_version, arm in by_enrollment.get(enrollment.pk, []):
                self._add(enrollment, step_version, step_id, m.CONVERTED, 1, arm)
                self._add(enrollment, step_version, step_id, ttc, 1, arm)

    def new_enrollment(self, enrollment: Enrollment) -> None:
        version = enrollment.entry_version_id or enrollment.version_id
        self._add(enrollment, version, m.JOURNEY, m.ENTERED, 1)

    def _add(
        self,
        enrollment: Enrollment,
        version_id: int,
        step_id: int,
        metric: str,
        n: int,
        arm: str = m.NO_ARM,
    ) -> None:
        day = enrollment.entered_at.date()
        self.counts[(enrollment.journey_id, version_id, day, step_id, arm, metric)] += n


def _pairs(
    model: type[StepVisit] | type[Assignment], enrollment_ids: set[int], step_ids: set[int]
) -> set[tuple[int, int]]:
    """(enrollment id, step id) pairs already written for these enrollments and steps."""
    enrollment_ids.discard(None)  # type: ignore[arg-type, unused-ignore]
    if not enrollment_ids or not step_ids:
        return set()
    rows = model.objects.filter(enrollment_id__in=enrollment_ids, step_id__in=step_ids)
    return set(rows.values_list("enrollment_id", "step_id").distinct())


def _steps_of(visit_ids: list[int]) -> dict[int, tuple[int, int]]:
    """(version id, step id) of visits written before this batch."""
    if not visit_ids:
        return {}
    rows = StepVisit.objects.filter(pk__in=set(visit_ids)).values_list(
        "pk", "step__version_id", "step_id"
    )
    return {pk: (version, step) for pk, version, step in rows}
