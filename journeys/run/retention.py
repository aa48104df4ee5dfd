"""Retention: raw events and decision traces are purged after their retention period.

What reports need survives: enrollments, step visits (with each enrollment's furthest
step) and the event catalogue's counts live in their own tables. Unprocessed events are
never purged, whatever their age: they are the worker's queue."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from journeys.models import DecisionTrace, Event

PURGE_CHUNK = 5000


@dataclass(frozen=True)
class PurgeResult:
    events: int
    traces: int
    events_before: datetime
    traces_before: datetime


def retention_purge(
    *, now: datetime, event_days: int | None = None, trace_days: int | None = None
) -> PurgeResult:
    """Delete processed events and traces older than their retention; return the counts."""
    event_days = settings.EVENT_RETENTION_DAYS if event_days is None else event_days
    trace_days = settings.TRACE_RETENTION_DAYS if trace_days is None else trace_days
    events_before = now - timedelta(days=event_days)
    traces_before = now - timedelta(days=trace_days)
    events = _purge_chunks(
        Event.objects.filter(received_at__lt=events_before, processed_at__isnull=False)
    )
    traces = _purge_chunks(DecisionTrace.objects.filter(at__lt=traces_before))
    return PurgeResult(events, traces, events_before, traces_before)


def _purge_chunks(queryset) -> int:  # noqa: ANN001 - any model's queryset
    # Chunks keep each transaction (and the locks it holds) short on big tables.
    total = 0
    while True:
        ids = list(queryset.order_by("pk").values_list("pk", flat=True)[:PURGE_CHUNK])
        if not ids:
            return total
        with transaction.atomic():
            deleted, _ = queryset.model.objects.filter(pk__in=ids).delete()
        total += len(ids)
        if len(ids) < PURGE_CHUNK:
            return total
