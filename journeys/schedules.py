"""The worker's recurring schedules, created after every migrate (one sweeping schedule)."""

from __future__ import annotations

from typing import Any

from django_q.models import Schedule

SCHEDULES = {
    "journeys.sweep": "journeys.tasks.sweep",
}


def ensure_schedules(**_: Any) -> None:
    for name, func in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": Schedule.MINUTES, "minutes": 1, "repeats": -1},
        )
