"""Pure delivery rules: quiet hours and the frequency cap defer a message, never drop it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

CAP_WINDOW = timedelta(hours=24)


@dataclass(frozen=True)
class SendTime:
    at: datetime
    deferred_reason: str  # "" | "quiet_hours" | "frequency_cap"


def _in_quiet(local: time, start: time, end: time) -> bool:
    if start < end:
        return start <= local < end
    return local >= start or local < end


def after_quiet_hours(at: datetime, zone: ZoneInfo, start: time, end: time) -> datetime:
    """`at` itself when allowed, else the end of the quiet period in the zone (as UTC)."""
    if start == end:
        return at
    local = at.astimezone(zone)
    if not _in_quiet(local.time().replace(tzinfo=None), start, end):
        return at
    day = local.date()
    if start > end and local.time() >= start:
        day += timedelta(days=1)
    # A wall time skipped by a spring-forward change resolves (fold=0) to just after it.
    return datetime.combine(day, end, tzinfo=zone).astimezone(UTC)


def after_frequency_cap(at: datetime, counted: Sequence[datetime], cap: int) -> datetime:
    """Earliest time ≥ at when fewer than `cap` counted sends fall in the last 24 hours.

    Messages already scheduled later than `at` count too, so deferred messages keep
    their order and a burst never exceeds the cap in any window.
    """
    if cap <= 0:
        return at
    recent = sorted(t for t in counted if t > at - CAP_WINDOW)
    if len(recent) < cap:
        return at
    return max(at, recent[len(recent) - cap] + CAP_WINDOW)


def send_time(
    *,
    now: datetime,
    zone: ZoneInfo,
    quiet: tuple[time, time] | None,
    counted: Sequence[datetime],
    cap: int,
) -> SendTime:
    """When a message may go out, and why it waits (the cap first, then quiet hours)."""
    at = after_frequency_cap(now, counted, cap)
    reason = "frequency_cap" if at != now else ""
    if quiet is not None:
        quiet_end = after_quiet_hours(at, zone, *quiet)
        if quiet_end != at:
            at, reason = quiet_end, reason or "quiet_hours"
    return SendTime(at=at, deferred_reason=reason)
