"""Lengths of time and local times typed in words, read into the journey format's own form.

Staff type "2 days", "3h", "1 hour 30 minutes" or "Monday 9:00"; the document stores
`P2D`, `PT3H`, `PT1H30M` or `{"time": "09:00", "weekdays": ["mon"]}`, which the format's
own parser (journeys.core.durations) then reads. Pure: no Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import time, timedelta
from decimal import Decimal, InvalidOperation

from journeys.core.durations import WEEKDAYS, format_duration, parse_duration

_UNITS = {
    "s": 1,
    "sec": 1,
    "secs": 1,
    "second": 1,
    "seconds": 1,
    "m": 60,
    "min": 60,
    "mins": 60,
    "minute": 60,
    "minutes": 60,
    "h": 3600,
    "hr": 3600,
    "hrs": 3600,
    "hour": 3600,
    "hours": 3600,
    "d": 86400,
    "day": 86400,
    "days": 86400,
    "w": 604800,
    "wk": 604800,
    "wks": 604800,
    "week": 604800,
    "weeks": 604800,
}
_CALENDAR_UNITS = {"month", "months", "mo", "mos", "year", "years", "y", "yr", "yrs"}
_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty-five": 45,
    "half": Decimal("0.5"),
}
_PART = re.compile(r"(\d+(?:[.,]\d+)?|[a-z-]+)\s*([a-z]+)")
_DAY_NAMES = {
    "monday": "mon",
    "tuesday": "tue",
    "wednesday": "wed",
    "thursday": "thu",
    "friday": "fri",
    "saturday": "sat",
    "sunday": "sun",
    "tues": "tue",
    "weds": "wed",
    "thur": "thu",
    "thurs": "thu",
} | {day: day for day in WEEKDAYS}
_DAY_GROUPS = {
    "weekday": WEEKDAYS[:5],
    "weekdays": WEEKDAYS[:5],
    "workday": WEEKDAYS[:5],
    "workdays": WEEKDAYS[:5],
    "weekend": WEEKDAYS[5:],
    "weekends": WEEKDAYS[5:],
    "day": (),
    "days": (),
}
_FILLER = {"on", "at", "every", "each", "any", "and", "or", "next", "until", "the", "a"}
_ZONE_SUFFIX = re.compile(
    r"\s*(?:,\s*)?(?:in (?:the )?(?:contact'?s|their|local|user'?s) (?:own )?"
    r"(?:local )?time(?: ?zone)?|(?:contact'?s |their )?local time)\s*$"
)
_CLOCK = re.compile(
    r"^(?P<hour>\d{1,2})(?:[:.h](?P<minute>\d{2}))?\s*(?P<half>am|pm|a\.m\.|p\.m\.)?$"
)
HINT = "Try “2 days”, “3h”, “1 hour 30 minutes” or “Monday 9:00”."


@dataclass(frozen=True)
class LocalTime:
    """A local time of day, on some weekdays (none: any day), in the contact's time zone."""

    at: time
    weekdays: tuple[str, ...] = ()

    def document(self) -> dict[str, object]:
        """The format's `until` object."""
        data: dict[str, object] = {"time": self.at.strftime("%H:%M")}
        if self.weekdays:
            data["weekdays"] = list(self.weekdays)
        return data


class WordsError(ValueError):
    """Text that cannot be read as a length of time or a local time; says why, kindly."""


def parse_length(text: str) -> timedelta:
    """ "2 days", "3h", "1 hour and 30 minutes", "half an hour", "P2D" → timedelta."""
    cleaned = _clean(text)
    if not cleaned:
        raise WordsError(f"Type a length of time. {HINT}")
    if cleaned.upper().startswith("P"):
        try:
            return parse_duration(cleaned.upper())
        except ValueError:
            pass
    seconds = _length_seconds(cleaned, text)
    if seconds <= 0:
        raise WordsError(f"“{text.strip()}” is no time at all: the length must be above zero.")
    return timedelta(seconds=seconds)


def _length_seconds(cleaned: str, original: str) -> int:
    squeezed = re.sub(r"\s+(?:and|,)\s+|,\s*", " ", cleaned)
    squeezed = re.sub(r"\ban? half\b", "half", squeezed)
    squeezed = re.sub(r"\bhalf an?\b", "half", squeezed)
    position, total = 0, Decimal(0)
    for match in _PART.finditer(squeezed):
        if squeezed[position : match.start()].strip():
            raise WordsError(_unreadable(original))
        amount_text, unit = match.group(1), match.group(2)
        if unit in _CALENDAR_UNITS:
            raise WordsError(
                "Months and years have no fixed length: write it in days or weeks "
                "(for example “30 days”)."
            )
        if unit not in _UNITS:
            raise WordsError(_unreadable(original))
        total += _amount(amount_text, original) * _UNITS[unit]
        position = match.end()
    if position == 0 or squeezed[position:].strip():
        raise WordsError(_unreadable(original))
    if total != total.to_integral_value():
        raise WordsError(f"“{original.strip()}” does not come to whole seconds: round it.")
    return int(total)


def _amount(text: str, original: str) -> Decimal:
    if text in _NUMBER_WORDS:
        return Decimal(str(_NUMBER_WORDS[text]))
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        raise WordsError(_unreadable(original)) from None


def parse_local_time(text: str) -> LocalTime:
    """ "Monday 9:00", "weekdays at 9am", "9:00 in the contact's time zone" → LocalTime."""
    cleaned = _ZONE_SUFFIX.sub("", _clean(text))
    words = [word for word in re.split(r"[\s,]+", cleaned) if word]
    clock_words = [word for word in words if _is_clock(word)]
    merged = _merge_half_day(words)
    clocks = [word for word in merged if _is_clock(word)]
    if len(clocks) != 1:
        if not clock_words and not clocks:
            raise WordsError(_unreadable(text))
        raise WordsError(f"“{text.strip()}” has more than one time of day; give just one.")
    at = _clock(clocks[0], text)
    days = _weekdays([word for word in merged if word != clocks[0]], text)
    return LocalTime(at=at, weekdays=days)


def _merge_half_day(words: list[str]) -> list[str]:
    """["9", "am"] → ["9am"], so "9 am" reads like "9am"."""
    merged: list[str] = []
    for word in words:
        if word in {"am", "pm", "a.m.", "p.m."} and merged and merged[-1][:1].isdigit():
            merged[-1] += word
        else:
            merged.append(word)
    return [{"noon": "12:00", "midday": "12:00", "midnight": "0:00"}.get(w, w) for w in merged]


def _is_clock(word: str) -> bool:
    return word in {"noon", "midday", "midnight"} or bool(_CLOCK.match(word))


def _clock(word: str, original: str) -> time:
    match = _CLOCK.match(word)
    assert match is not None
    hour, minute = int(match["hour"]), int(match["minute"] or 0)
    half = (match["half"] or "").replace(".", "")
    if half and not 1 <= hour <= 12:
        raise WordsError(f"“{word}” is not a time of day: with am or pm the hour is 1 to 12.")
    if half == "pm" and hour != 12:
        hour += 12
    elif half == "am" and hour == 12:
        hour = 0
    if hour > 23 or minute > 59:
        raise WordsError(f"“{word}” is not a time of day (use 0:00 to 23:59, or 9am).")
    return time(hour, minute)


def _weekdays(words: list[str], original: str) -> tuple[str, ...]:
    days: set[str] = set()
    index = 0
    while index < len(words):
        word = words[index].rstrip("s") if words[index] not in _DAY_GROUPS else words[index]
        word = word if word in _DAY_NAMES or word in _DAY_GROUPS else words[index]
        if word in _FILLER:
            index += 1
            continue
        if "-" in word and all(part in _DAY_NAMES for part in word.split("-", 1)):
            start, end = word.split("-", 1)
            days |= _day_range(_DAY_NAMES[start], _DAY_NAMES[end])
        elif word in _DAY_NAMES and index + 2 < len(words) and words[index + 1] in {"to", "-"}:
            end = words[index + 2].rstrip("s")
            if end not in _DAY_NAMES:
                raise WordsError(_unreadable(original))
            days |= _day_range(_DAY_NAMES[word], _DAY_NAMES[end])
            index += 2
        elif word in _DAY_NAMES:
            days.add(_DAY_NAMES[word])
        elif word in _DAY_GROUPS:
            days |= set(_DAY_GROUPS[word])
        else:
            raise WordsError(_unreadable(original))
        index += 1
    ordered = tuple(day for day in WEEKDAYS if day in days)
    return () if len(ordered) == 7 else ordered


def _day_range(start: str, end: str) -> set[str]:
    first, last = WEEKDAYS.index(start), WEEKDAYS.index(end)
    span = range(first, last + 1) if first <= last else [*range(first, 7), *range(0, last + 1)]
    return {WEEKDAYS[i] for i in span}


def parse_wait(text: str) -> timedelta | LocalTime:
    """A delay typed in words: a length of time ("2 days") or a local time ("Monday 9:00")."""
    try:
        return parse_length(text)
    except WordsError as length_error:
        try:
            return parse_local_time(text)
        except WordsError as time_error:
            if re.search(r"\d\s*(?:[:.h]\d{2}|am|pm)\b|\b(?:noon|midnight)\b", _clean(text)):
                raise time_error from None
            raise length_error from None


def length_words(delta: timedelta) -> str:
    """A length of time as staff would say it: "2 days", "1 day 3 hours", "30 minutes"."""
    seconds = int(delta.total_seconds())
    if seconds and seconds % 604800 == 0:
        return _plural(seconds // 604800, "week")
    parts = []
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute"), (1, "second")):
        count, seconds = divmod(seconds, size)
        if count:
            parts.append(_plural(count, unit))
    return " ".join(parts) or "no time"


def local_time_words(value: LocalTime) -> str:
    """ "Monday 09:00", "weekdays 09:00", "09:00" (any day)."""
    return f"{weekday_words(value.weekdays)} {value.at:%H:%M}".strip()


def weekday_words(days: tuple[str, ...]) -> str:
    names = {day: name.capitalize() for name, day in _DAY_NAMES.items() if len(name) > 5}
    if days == WEEKDAYS[:5]:
        return "weekdays"
    if days == WEEKDAYS[5:]:
        return "weekends"
    spoken = [names[day] for day in days]
    return (
        spoken[0]
        if len(spoken) == 1
        else ", ".join(spoken[:-1]) + (f" or {spoken[-1]}" if spoken else "")
    )


def iso_length(delta: timedelta) -> str:
    """The format's own text for a length (P2D, PT3H)."""
    return format_duration(delta)


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}" if count == 1 else f"{count} {unit}s"


def _clean(text: str) -> str:
    return " ".join(str(text or "").lower().replace("’", "'").split())


def _unreadable(text: str) -> str:
    return f"I can't read “{str(text).strip()}” as a length of time. {HINT}"
