"""Who has stopped while still "waiting": contacts at a step whose wait is over — its timer
ran out (the worker has yet to move them), or the goal's window closed (they can no
longer convert). It depends on the clock, so it is not a counter; read cheaply:

- window closed: whole entry days before the cutoff's day from the waiting counters
  (kept per entry day), the cutoff's own day from the rows;
- timer run out: the index on (state, wake_at), for those the window has not closed on."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, time, timedelta

from django.db.models import Count, QuerySet, Sum

from journeys.core import report_counters as m
from journeys.models import Enrollment, Journey, Step
from journeys.reports.selectors import Filter, counter_rows


def report_wait_over(
    journey: Journey,
    filter: Filter,
    version_id: int | None,
    *,
    within: timedelta | None,
    now: datetime,
) -> dict[str, int]:
    """Per step key: contacts waiting there whose wait is over."""
    found: Counter[str] = Counter()
    cutoff = now - within if within is not None else None
    if cutoff is not None:
        day = cutoff.astimezone(UTC).date()
        keys = dict(Step.objects.filter(version__journey=journey).values_list("pk", "key"))
        before = (
            counter_rows(journey, filter, version_id)
            .filter(metric=m.WAITING, arm=m.NO_ARM, entry_day__lt=day)
            .values_list("step_id")
            .annotate(n=Sum("n"))
            .order_by()
        )
        for step_id, n in before:
            found[keys.get(step_id, "")] += n
        start = datetime.combine(day, time.min, tzinfo=UTC)
        found.update(_grouped(_open(journey, filter).filter(entered_at__range=(start, cutoff))))
    due = _open(journey, filter).filter(wake_at__lte=now)
    if cutoff is not None:
        due = due.filter(entered_at__gt=cutoff)
    found.update(_grouped(due))
    return {key: n for key, n in found.items() if key and n > 0}


def _open(journey: Journey, filter: Filter) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.filter(journey=journey, state__in=Enrollment.OPEN_STATES)
    if filter.version is not None:
        rows = rows.filter(version__number=filter.version)
    if filter.since is not None:
        rows = rows.filter(entered_at__date__gte=filter.since)
    if filter.until is not None:
        rows = rows.filter(entered_at__date__lte=filter.until)
    return rows


def _grouped(rows: QuerySet[Enrollment]) -> dict[str, int]:
    grouped = rows.values_list("step_key").annotate(n=Count("pk")).order_by()
    return dict(grouped.values_list("step_key", "n"))
