"""The admin index's dashboard: live journeys with their figures, events no journey uses,
failing deliveries, and the latest staff changes. Reads only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channels.delivery.history import FailingDeliveries, failing_deliveries
from journeys.builder.selectors import JourneyRow, journey_rows
from journeys.core.steps.ask import ANSWERED
from journeys.models import AuditEntry, EventType, Journey

WINDOW = timedelta(days=7)
UNUSED_WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class UnusedEvent:
    name: str
    count: int
    last_seen_at: datetime


@dataclass(frozen=True)
class Dashboard:
    live: tuple[JourneyRow, ...]
    unused_events: tuple[UnusedEvent, ...]
    failing: tuple[FailingDeliveries, ...]
    recent: tuple[AuditEntry, ...]


def dashboard(*, now: datetime) -> Dashboard:
    used: set[str] = set()
    for document in Journey.objects.exclude(status=Journey.Status.ARCHIVED).values_list(
        "draft_spec", flat=True
    ):
        used |= set(document_event_names(document))
    unused = (
        EventType.objects.filter(type="track", last_seen_at__gte=now - UNUSED_WINDOW)
        .exclude(name__in=used)
        .exclude(name__startswith=ANSWERED)  # Stepwise's own: an answer to an ask step
        .order_by("-count", "name")[:10]
    )
    return Dashboard(
        live=tuple(journey_rows(now=now, show="active")),
        unused_events=tuple(UnusedEvent(e.name, e.count, e.last_seen_at) for e in unused),
        failing=tuple(failing_deliveries(since=now - WINDOW)),
        recent=tuple(AuditEntry.objects.select_related("journey").order_by("-at", "-id")[:10]),
    )


def document_event_names(document: Any) -> Iterator[str]:
    """Every event a raw journey document names (trigger, goal, exits, waits, conditions)."""
    if isinstance(document, Mapping):
        event = document.get("event")
        if isinstance(event, str) and event:
            yield event
        for value in document.values():
            yield from document_event_names(value)
    elif isinstance(document, list):
        for item in document:
            yield from document_event_names(item)
