"""ISO 8601 durations and local time-of-day rules, pure. See docs/journey-format.md."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

_DURATION = re.compile(
    r"^P(?:(?P<weeks>\d+)W)?(?:(?P<days>\d+)D)?"
    r"(?:T(?:(?P<hours>\d+)H)?(?:(?P<minutes>\d+)M)?(?:(?P<seconds>\d+)S)?)?$"
)
_CALENDAR = re.compile(r"^P(?:\d+Y)?(?:\d+M)?(?:\d+[WD])*(?:T.*)?$")
_EXAMPLES = "P2D (2 days), PT1H (1 hour) or PT30M (30 minutes)"
_TIME = re.compile(r"^(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)$")


def parse_duration(text: str) -> timedelta:
    """`P14D`, `PT2H30M`, `P1W` → timedelta; ValueError in plain words otherwise.

    Years and months have no fixed length, so they are refused.
    """
    if not isinstance(text, str):
        raise ValueError(f"Write a length of time such as {_EXAMPLES}.")
    match = _DURATION.match(text)
    if match is None or text in ("P", "PT") or text.endswith("T"):
        if _CALENDAR.match(text) and ("Y" in text or "M" in text.split("T")[0]):
            raise ValueError(
                f"“{text}” counts months or years, which have no fixed length: "
                "write it in days, such as P30D (30 days)."
            )
        raise ValueError(f"“{text}” is not a length of time: write one such as {_EXAMPLES}.")
    parts = {name: int(value) for name, value in match.groupdict().items() if value}
    delta = timedelta(**parts)
    if delta <= timedelta(0):
        raise ValueError(f"“{text}” is no time at all: give a length above zero.")
    return delta


def format_duration(delta: timedelta) -> str:
    """The canonical ISO 8601 text of a positive timedelta (P1DT2H, PT30M); inverse of parse."""
    seconds = int(delta.total_seconds())
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    date_part = f"{days}D" if days else ""
    time_part = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    return "P" + date_part + (f"T{time_part}" if time_part else "")


def parse_time_of_day(text: str) -> time:
    """`"09:00"` → time(9, 0); ValueError otherwise."""
    match = _TIME.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"“{text}” is not a time of day: write it on the 24-hour clock, like 09:00 or 17:30."
        )
    return time(int(match["hour"]), int(match["minute"]))


@dataclass(frozen=True)
class LocalTimeRule:
    """ "Until 09:00 on mon-fri" in the contact's time zone; no weekdays means every day."""

    at: time
    weekdays: tuple[str, ...] = ()

    def next_after(self, moment: datetime, zone: ZoneInfo) -> datetime:
        """The first instant at or after `moment` (aware) that matches, in UTC.

        A local time that does not exist (skipped by a daylight-saving change) moves
        forward by the gap; an ambiguous one takes its first occurrence.
        """
        local = moment.astimezone(zone)
        allowed = {WEEKDAYS.index(day) for day in self.weekdays} or set(range(7))
        for offset in range(8):
            day = local.date() + timedelta(days=offset)
            if day.weekday() not in allowed:
                continue
            candidate = datetime.combine(day, self.at, tzinfo=zone).astimezone(UTC)
            if candidate >= moment:
                return candidate
        raise AssertionError("unreachable: a week always contains an allowed day")


def parse_weekdays(values: Sequence[object]) -> tuple[str, ...]:
    """Lower-case three-letter weekday names, in week order; ValueError names a bad one."""
    days = []
    for value in values:
        if not isinstance(value, str) or value.lower() not in WEEKDAYS:
            raise ValueError(
                f"“{value}” is not a weekday: use mon, tue, wed, thu, fri, sat or sun."
            )
        days.append(value.lower())
    return tuple(day for day in WEEKDAYS if day in days)


def duration_words(delta: timedelta) -> str:
    """A positive timedelta in plain words: "2 days", "1 day 3 hours", "30 minutes"."""
    seconds = int(delta.total_seconds())
    if seconds % (7 * 86400) == 0 and seconds:
        return _plural(seconds // (7 * 86400), "week")
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(_plural(count, unit))
    return " ".join(parts) or "no time"


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"
