"""Breakdowns are worked out by the worker, not by the page (docs/reports.md,
"Breakdowns"): a page asks for one (`breakdown_ask`), which queues the work at most once
at a time, and shows the latest snapshot with its age; `breakdown_compute` is the task.

A breakdown reads raw rows (a trait can be any key): a million entrants take seconds,
far past what a page may take, so the page reads one row of figures instead."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from journeys.models import BreakdownSnapshot, Journey
from journeys.reports.breakdown import By, Slice, fold_reach, read_by, slices
from journeys.reports.breakdown_reads import breakdown_reach, breakdown_rows
from journeys.reports.selectors import Filter, report_spec

logger = logging.getLogger(__name__)

FRESH = timedelta(minutes=5)  # older snapshots are worked out again when someone looks
COST_SHARE = 10  # ...or, when that takes long, after ten times as long as it took
SILENT = timedelta(minutes=1)  # unanswered this long: the page says the worker may be down
TIMEOUT = 600  # seconds the task may run (a million entrants take about a minute)
LOST = timedelta(seconds=TIMEOUT + 60)  # unanswered this long: queued again
TASK = "journeys.reports.snapshots.breakdown_compute"


def refresh_every(seconds: float) -> timedelta:
    """How old a snapshot may grow: FRESH, or longer when working it out is costly, so
    a breakdown keeps the wake-ups worker busy a tenth of the time at most."""
    return max(FRESH, timedelta(seconds=seconds * COST_SHARE))


def scope_of(filter: Filter) -> str:
    """The filter in words, the snapshot's key beside the journey and the split."""
    since = filter.since.isoformat() if filter.since else ""
    until = filter.until.isoformat() if filter.until else ""
    return f"version={filter.version or ''} since={since} until={until}"


def scope_read(scope: str) -> Filter:
    parts = dict(part.partition("=")[::2] for part in scope.split())
    version, since, until = (parts.get(k, "") for k in ("version", "since", "until"))
    return Filter(
        int(version) if version else None,
        date.fromisoformat(since) if since else None,
        date.fromisoformat(until) if until else None,
    )


def breakdown_ask(journey: Journey, by: By, filter: Filter) -> BreakdownSnapshot:
    """The latest snapshot of this split; when it is missing or older than FRESH, the
    work is queued — once: the claim is one conditional UPDATE, so of two requests at
    the same moment only one finds the row still unclaimed (and the figures unchanged)."""
    now = timezone.now()
    snapshot, _ = BreakdownSnapshot.objects.get_or_create(
        journey=journey, by=by.value, scope=scope_of(filter)
    )
    done = snapshot.computed_at
    if done is not None and now - done <= refresh_every(snapshot.seconds):
        return snapshot
    idle = (
        Q(requested_at__isnull=True)
        | Q(requested_at__lte=F("computed_at"))
        | Q(requested_at__lt=now - LOST)
    )
    claimed = BreakdownSnapshot.objects.filter(idle, pk=snapshot.pk, computed_at=done).update(
        requested_at=now
    )
    if claimed:
        _enqueue(snapshot.pk)
    snapshot.refresh_from_db()
    return snapshot


def _enqueue(snapshot_id: int) -> None:
    """On the wake-ups cluster (background work, niced on one host). A broker outage
    leaves the claim in place; it is taken again after LOST."""
    try:
        async_task(TASK, snapshot_id, cluster=settings.Q_WAKEUPS_CLUSTER, q_options={"save": False})
    except Exception:  # noqa: BLE001 - the page still shows what it has, and says so
        logger.warning("reports.breakdown_enqueue_failed", exc_info=True)


def breakdown_compute(snapshot_id: int) -> None:
    """The task: the split's figures from raw rows, stored with the time they are as of
    (when the reading started)."""
    snapshot = BreakdownSnapshot.objects.select_related("journey").filter(pk=snapshot_id).first()
    by = read_by(snapshot.by) if snapshot else None
    if snapshot is None or by is None:
        return
    started, clock = timezone.now(), time.monotonic()
    rows = breakdown_recount(snapshot.journey, by, scope_read(snapshot.scope))
    BreakdownSnapshot.objects.filter(pk=snapshot_id).update(
        rows=rows, computed_at=started, seconds=round(time.monotonic() - clock, 3)
    )


def breakdown_recount(journey: Journey, by: By, filter: Filter) -> list[dict]:
    """Per value (top ones, then "Other" and "Not set"): label, entered, count (converted,
    or finished without a goal) and how many reached each step, by step key."""
    spec, version_id = report_spec(journey, filter)
    found = slices(breakdown_rows(journey, spec, filter, version_id, by))
    reached = fold_reach(found, breakdown_reach(journey, spec, filter, version_id, by))
    return [
        {
            "label": s.label,
            "entered": s.entered,
            "count": s.count,
            "reached": reached.get(s.label, {}),
        }
        for s in found
    ]


@dataclass(frozen=True)
class Shown:
    """What a page says of a snapshot: its figures, or that they are on their way."""

    found: list[Slice]
    reached: dict[str, dict[str, int]]
    as_of: datetime | None
    waiting: bool  # a computation is queued or running
    silent: bool  # queued for more than SILENT with no answer: the worker may be down
    every_minutes: int  # how often the figures are worked out again


def shown(snapshot: BreakdownSnapshot, *, now: datetime) -> Shown:
    rows = snapshot.rows or []
    asked, done = snapshot.requested_at, snapshot.computed_at
    waiting = asked is not None and (done is None or asked > done)
    return Shown(
        found=[Slice(r["label"], r["entered"], r["count"]) for r in rows],
        reached={r["label"]: r["reached"] for r in rows},
        as_of=done,
        waiting=waiting,
        silent=waiting and asked is not None and now - asked > SILENT,
        every_minutes=round(refresh_every(snapshot.seconds).total_seconds() / 60),
    )
