"""The worker's recurring schedules, created (or repaired) after every migrate.

Each runs on its own cluster (django-q2's `cluster` on a schedule), so the events sweep
never waits behind deliveries and a wake-up spike never delays new events."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django_q.models import Schedule


def _schedules() -> dict[str, tuple[str, str]]:
    """name → (task, cluster). Every cluster beats once a minute (the health endpoint)."""
    events, wakeups, delivery = (
        settings.Q_EVENTS_CLUSTER,
        settings.Q_WAKEUPS_CLUSTER,
        settings.Q_DELIVERY_CLUSTER,
    )
    return {
        "journeys.sweep_events": ("journeys.tasks.sweep_events", events),
        "journeys.sweep_wakeups": ("journeys.tasks.sweep_wakeups", wakeups),
        "channels.send_due_messages": ("channels.tasks.send_due_messages", delivery),
        **{
            f"heartbeat.{cluster}": ("journeys.tasks.heartbeat", cluster)
            for cluster in settings.Q_CLUSTERS
        },
    }


def ensure_schedules(**_: Any) -> None:
    wanted = _schedules()
    # Older releases had one "journeys.sweep" doing everything; it must not run beside these.
    Schedule.objects.filter(name="journeys.sweep").delete()
    for name, (func, cluster) in wanted.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={
                "func": func,
                "cluster": cluster,
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
            },
        )
