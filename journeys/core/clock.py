"""Clocks: the engine takes `now`; the simulator moves a FakeClock, commands read SystemClock."""

from __future__ import annotations

from datetime import UTC, datetime


class SystemClock:
    """The real time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FakeClock:
    """A clock that only moves when told: for tests and dry runs."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = start.astimezone(UTC)

    def now(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> datetime:
        """Jump to `moment` if it is not in the past; return the current time."""
        if moment.tzinfo is None:
            raise ValueError("FakeClock needs an aware datetime")
        self._now = max(self._now, moment.astimezone(UTC))
        return self._now
