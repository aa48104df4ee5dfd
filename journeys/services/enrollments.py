"""Enrollments: moving contacts through journeys. (Filled in by the journey engine.)"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from journeys.models import Event


def enrollments_handle_events(*, events: Sequence[Event], now: datetime) -> None:
    """Enter, advance, convert or exit enrollments for a batch of new events."""
    return None


def enrollments_wake_due(*, now: datetime) -> int:
    """Advance enrollments whose timers are due; return how many were handled."""
    return 0
