"""How far behind the worker is, read from the database (the health endpoint and metrics).

Each figure is one indexed query: the oldest row of a queue, never a count of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from channels.models import Message
from journeys.models import Enrollment, Event, WorkerHeartbeat


@dataclass(frozen=True)
class Backlog:
    oldest_event_seconds: float  # oldest event not yet processed; 0 when none
    oldest_wakeup_seconds: float  # oldest timer that is due and not yet handled; 0 when none
    oldest_message_seconds: float  # oldest message due for delivery and unclaimed; 0 when none
    heartbeats: dict[str, float | None]  # cluster → seconds since its last beat (None: never)


def backlog_read(*, now: datetime) -> Backlog:
    event = (
        Event.objects.filter(processed_at__isnull=True)
        .order_by("pk")
        .values_list("received_at", flat=True)
        .first()
    )
    wakeup = (
        Enrollment.objects.filter(state=Enrollment.State.WAITING, wake_at__lte=now)
        .order_by("wake_at")
        .values_list("wake_at", flat=True)
        .first()
    )
    message = (
        Message.objects.filter(
            status=Message.Status.QUEUED, scheduled_for__lte=now, claimed_until__isnull=True
        )
        .order_by("scheduled_for")
        .values_list("scheduled_for", flat=True)
        .first()
    )
    beats = dict(WorkerHeartbeat.objects.values_list("cluster", "beat_at"))
    return Backlog(
        oldest_event_seconds=_age(event, now),
        oldest_wakeup_seconds=_age(wakeup, now),
        oldest_message_seconds=_age(message, now),
        heartbeats={
            cluster: _age(beats[cluster], now) if cluster in beats else None
            for cluster in settings.Q_CLUSTERS
        },
    )


def _age(at: datetime | None, now: datetime) -> float:
    return max(0.0, (now - at).total_seconds()) if at else 0.0
