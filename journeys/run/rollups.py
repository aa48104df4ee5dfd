"""Writing report counters: deltas added in one sorted upsert, in the caller's transaction.

Every transaction that writes the rows reports count (visits, enrollments, assignments,
conversions) adds its deltas here once, at its end, sorted by key: two workers touching
the same counters lock them in the same order and never deadlock."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

from django.db import connection

from journeys.core.report_counters import JOURNEY, NO_ARM, WAITING, Counts, ended_metric
from journeys.models import Enrollment, ReportCount, Step, StepVisit

CHUNK = 500


def rollups_add(counts: Counts) -> None:
    """Add these deltas to their counters (creating rows as needed)."""
    items = sorted((key, n) for key, n in counts.items() if n)
    if not items:
        return
    table = connection.ops.quote_name(ReportCount._meta.db_table)
    columns = "journey_id, version_id, entry_day, step_id, arm, metric, n"
    key = "journey_id, version_id, entry_day, step_id, arm, metric"
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK):
            chunk = items[start : start + CHUNK]
            values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for (journey, version, day, step, arm, metric), n in chunk:
                params += [journey, version, day, step, arm, metric, n]
            # Only the model's own table name is interpolated; values are parameters.
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} "  # noqa: S608
                f"ON CONFLICT ({key}) DO UPDATE SET n = {table}.n + excluded.n",
                params,
            )


def enrollments_end_open(*, enrollment_ids: list[int], outcome: str, now: datetime) -> None:
    """Close the open step visits of enrollments that end outside the worker (archive,
    merge, erasure) and count them as exited where they stood. The caller sets their
    state; call in its transaction, before that update."""
    if not enrollment_ids:
        return
    counts: Counts = Counter()
    rows = Enrollment.objects.filter(pk__in=enrollment_ids, state__in=Enrollment.OPEN_STATES)
    values = rows.values_list(
        "pk", "journey_id", "version_id", "entered_at", "current_visit_id"
    ).order_by("pk")
    visits = dict(
        StepVisit.objects.filter(
            enrollment_id__in=enrollment_ids, left_at__isnull=True
        ).values_list("pk", "step_id")
    )
    versions = dict(
        Step.objects.filter(pk__in=set(visits.values())).values_list("pk", "version_id")
    )
    closing: list[int] = []
    for _pk, journey_id, version_id, entered_at, visit_id in values:
        day = entered_at.date()
        step = visits.get(visit_id) if visit_id is not None else None
        if step is None or visit_id is None:
            counts[(journey_id, version_id, day, JOURNEY, NO_ARM, ended_metric("exited"))] += 1
            continue
        closing.append(visit_id)
        step_version = versions[step]
        counts[(journey_id, step_version, day, step, NO_ARM, WAITING)] -= 1
        counts[(journey_id, step_version, day, step, NO_ARM, ended_metric("exited"))] += 1
    StepVisit.objects.filter(pk__in=closing).update(left_at=now, outcome=outcome[:40])
    rows.update(current_visit_id=None)
    rollups_add(counts)
