"""How far behind the worker is, read from the database (the health endpoint and metrics).

Each figure is one indexed query: the oldest row of a queue, never a count of it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db.models import Q

from channels.models import Message
from journeys.models import Enrollment, Event, WorkerHeartbeat


@dataclass(frozen=True)
class Backlog:
    oldest_event_seconds: float  # oldest event not yet processed; 0 when none
    oldest_wakeup_seconds: float  # oldest timer that is due and not yet handled; 0 when none
    oldest_message_seconds: float  # oldest message due for delivery and unclaimed; 0 when none
    heartbeats: dict[str, float | None]  # cluster → seconds since its last beat (None: never)


def backlog_read(*, now: datetime) -> Backlog:
    # Work held for a retry (one contact's data made it fail: journeys.run.isolation)
    # is not behind: it waits on purpose, and counts from when its retry is due.
    due = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    event = (
        Event.objects.filter(due, processed_at__isnull=True)
        .order_by("pk")
        .values_list("received_at", "retry_at")
        .first()
    )
    wakeup = (
        Enrollment.objects.filter(due, state=Enrollment.State.WAITING, wake_at__lte=now)
        .order_by("wake_at")
        .values_list("wake_at", "retry_at")
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
        oldest_event_seconds=_age(_latest(event), now),
        oldest_wakeup_seconds=_age(_latest(wakeup), now),
        oldest_message_seconds=_age(message, now),
        heartbeats={
            cluster: _age(beats[cluster], now) if cluster in beats else None
            for cluster in settings.Q_CLUSTERS
        },
    )


def _latest(row: tuple[datetime | None, datetime | None] | None) -> datetime | None:
    if row is None:
        return None
    return max((at for at in row if at is not None), default=None)


def _age(at: datetime | None, now: datetime) -> float:
    return max(0.0, (now - at).total_seconds()) if at else 0.0
