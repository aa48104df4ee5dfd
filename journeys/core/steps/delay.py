"""The delay step: wait a fixed time, or until a local time of day (and weekday)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journeys.core.decisions import Wait
from journeys.core.durations import (
    LocalTimeRule,
    duration_words,
    format_duration,
    parse_time_of_day,
    parse_weekdays,
)
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import (
    NO_CHANNELS,
    Channels,
    Move,
    ParseContext,
    StepType,
    Walk,
    read_duration,
    when,
)
from journeys.core.steps.form import FormField, Timing


@dataclass(frozen=True)
class Until:
    """Wait until `at` (local time of day) on one of `weekdays` (empty: any day)."""

    at: time
    weekdays: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DelayStep(StepSpec):
    """Wait `duration`, or `until` a local time of day; exactly one of them is set."""

    type = "delay"
    duration: timedelta | None = None
    until: Until | None = None


class Delay(StepType[DelayStep]):
    key, spec, order, waits = "delay", DelayStep, 20, True
    label = "Wait a while"
    description = "Pause for a time, or until a time of day in the contact's time zone."
    fields = ("duration", "until")
    form = (
        FormField(
            "wait",
            "Wait",
            "wait",
            help="A length (“2 days”, “3h”) or a time of day in the contact's time zone "
            "(“Monday 9:00”, “weekdays at 9am”).",
            max_length=100,
        ),
    )
    blank_step = {"id": "Wait_a_day", "duration": "P1D"}
    look = "wait"

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        if ("duration" in raw) == ("until" in raw):
            reader.add(
                path,
                "Give either how long to wait (“duration”, like P1D) or a time of day to wait "
                "until (“until”), not both.",
            )
            return None
        if "duration" in raw:
            duration = read_duration(reader, raw, "duration", path)
            return None if duration is None else {"duration": duration}
        until = _parse_until(reader, raw["until"], f"{path}.until")
        return None if until is None else {"until": until}

    def dump(self, step: DelayStep) -> dict[str, Any]:
        if step.duration is not None:
            return {"duration": format_duration(step.duration)}
        assert step.until is not None
        until: dict[str, Any] = {"time": step.until.at.strftime("%H:%M")}
        if step.until.weekdays:
            until["weekdays"] = list(step.until.weekdays)
        return {"until": until}

    def run(self, step: DelayStep, walk: Walk) -> Move | None:
        zone = walk.state.contact.zone()
        if step.duration is not None:
            wake = walk.now + step.duration
            why = f"delay {step.id}: waiting {format_duration(step.duration)}"
        else:
            assert step.until is not None
            rule = LocalTimeRule(step.until.at, step.until.weekdays)
            wake = rule.next_after(walk.now, zone)
            days = ", ".join(step.until.weekdays) or "any day"
            why = f"delay {step.id}: until {step.until.at:%H:%M} {zone.key} ({days})"
        if wake <= walk.now:
            walk.note("delay", f"{why}: that is now, continuing")
            return Move("waited", walk.spec.following(step.id))
        walk.add(Wait(step.id, wake, None))
        local = wake.astimezone(zone)
        walk.note("waiting", f"{why}: waiting until {when(wake)} ({local:%a %H:%M} {zone.key})")
        return None

    def on_wake(self, step: DelayStep, walk: Walk) -> Move:
        walk.note("woke", f"delay at {step.id} is over")
        return Move("waited", walk.spec.following(step.id))

    # --- the builder ----------------------------------------------------------------

    def form_values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        found = {key: raw[key] for key in ("duration", "until") if key in raw}
        return {"wait": found or None}

    def from_form(self, raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": raw.get("id"), "type": self.key} | dict(values["wait"])

    def timing(self, step: DelayStep, arrival: datetime, zone: ZoneInfo) -> Timing | None:
        if step.duration is not None:
            return ("goes_on", arrival + step.duration)
        assert step.until is not None
        rule = LocalTimeRule(step.until.at, step.until.weekdays)
        return ("goes_on", rule.next_after(arrival, zone))

    def summary(
        self, step: DelayStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        if step.duration is not None:
            return f"Wait {duration_words(step.duration)}"
        assert step.until is not None
        days = ", ".join(day.capitalize() for day in step.until.weekdays)
        on = f" on {days}" if days else ""
        return f"Wait until {step.until.at:%H:%M}{on}, in the contact's time zone"


def _parse_until(reader: Reader, raw: Any, path: str) -> Until | None:
    data = reader.obj(raw, path)
    if data is None:
        return None
    reader.only(data, path, ("time", "weekdays"))
    try:
        at = parse_time_of_day(data.get("time", ""))
    except ValueError as exc:
        reader.add(f"{path}.time", str(exc))
        return None
    try:
        weekdays = parse_weekdays(reader.items(data, "weekdays", path))
    except ValueError as exc:
        reader.add(f"{path}.weekdays", str(exc))
        return None
    return Until(at=at, weekdays=weekdays)


STEP_TYPE = Delay()
