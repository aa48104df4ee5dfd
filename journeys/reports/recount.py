"""Every report counter counted again from the raw rows: the rule the worker's deltas
follow, checked by the property test and used to rebuild the counters
(`manage.py reports_rebuild`)."""

from __future__ import annotations

from collections import Counter

from journeys.core import report_counters as m
from journeys.models import Assignment, Conversion, Enrollment, ReportCount, Step, StepVisit


def recount(*, journey_ids: list[int] | None = None) -> m.Counts:
    """The counters of these journeys (all when None), from enrollments, visits,
    assignments and conversions."""
    enrollments = Enrollment.objects.all()
    if journey_ids is not None:
        enrollments = enrollments.filter(journey_id__in=journey_ids)
    rows = {
        pk: (journey, entry or version, version, entered_at.date(), state)
        for pk, journey, entry, version, entered_at, state in enrollments.values_list(
            "pk", "journey_id", "entry_version_id", "version_id", "entered_at", "state"
        )
    }
    steps = dict(Step.objects.values_list("pk", "version_id"))
    counts: m.Counts = Counter()
    for journey, entry, _, day, _ in rows.values():
        counts[(journey, entry, day, m.JOURNEY, m.NO_ARM, m.ENTERED)] += 1
    converted: dict[int, int] = {}
    for enrollment_id, seconds in Conversion.objects.filter(enrollment_id__in=rows).values_list(
        "enrollment_id", "seconds"
    ):
        journey, entry, _, day, _ = rows[enrollment_id]
        converted[enrollment_id] = seconds
        counts[(journey, entry, day, m.JOURNEY, m.NO_ARM, m.CONVERTED)] += 1
        ttc = m.histogram_metric(m.TIME_TO_CONVERT, seconds)
        counts[(journey, entry, day, m.JOURNEY, m.NO_ARM, ttc)] += 1
    _count_visits(counts, rows, steps)
    for enrollment_id, step_id, arm in Assignment.objects.filter(
        enrollment_id__in=rows
    ).values_list("enrollment_id", "step_id", "arm"):
        journey, _, _, day, _ = rows[enrollment_id]
        key = (journey, steps[step_id], day, step_id, arm)
        counts[(*key, m.ASSIGNED)] += 1
        if enrollment_id in converted:
            counts[(*key, m.CONVERTED)] += 1
            counts[(*key, m.histogram_metric(m.TIME_TO_CONVERT, converted[enrollment_id]))] += 1
    return +counts


def _count_visits(counts: m.Counts, rows: dict, steps: dict[int, int]) -> None:
    visits = (
        StepVisit.objects.filter(enrollment_id__in=rows)
        .order_by("enrollment_id", "seq")
        .values_list("enrollment_id", "step_id", "entered_at", "left_at")
    )
    last: dict[int, tuple[int, object]] = {}
    reached: set[tuple[int, int]] = set()
    for enrollment_id, step_id, entered_at, left_at in visits.iterator(chunk_size=5000):
        journey, _, _, day, _ = rows[enrollment_id]
        key = (journey, steps[step_id], day, step_id, m.NO_ARM)
        counts[(*key, m.VISITS)] += 1
        if left_at is None:
            counts[(*key, m.WAITING)] += 1
        if (enrollment_id, step_id) not in reached:
            reached.add((enrollment_id, step_id))
            counts[(*key, m.REACHED)] += 1
        previous = last.get(enrollment_id)
        if previous is not None:
            previous_step, previous_entered = previous
            seconds = (entered_at - previous_entered).total_seconds()  # type: ignore[operator]
            gap = m.histogram_metric(m.GAP, seconds)
            counts[(journey, steps[previous_step], day, previous_step, m.NO_ARM, gap)] += 1
        last[enrollment_id] = (step_id, entered_at)
    for enrollment_id, (journey, _, version, day, state) in rows.items():
        if state in Enrollment.OPEN_STATES:
            continue
        ended = m.ended_metric(state)
        if enrollment_id in last:
            step_id = last[enrollment_id][0]
            counts[(journey, steps[step_id], day, step_id, m.NO_ARM, ended)] += 1
        else:
            counts[(journey, version, day, m.JOURNEY, m.NO_ARM, ended)] += 1


def stored(*, journey_ids: list[int] | None = None) -> m.Counts:
    """The counters as the worker kept them (zeros dropped), to compare with recount()."""
    rows = ReportCount.objects.all()
    if journey_ids is not None:
        rows = rows.filter(journey_id__in=journey_ids)
    counts: m.Counts = Counter()
    for journey, version, day, step, arm, metric, n in rows.values_list(
        "journey_id", "version_id", "entry_day", "step_id", "arm", "metric", "n"
    ):
        counts[(journey, version, day, step, arm, metric)] += n
    return +counts
