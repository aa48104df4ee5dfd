"""The wait_for_event step: go on when an event happens (or happened since entry), or
take the timeout path when it does not come in time."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journeys.core.conditions import (
    Condition,
    EventView,
    Facts,
    describe,
    dump_condition,
    evaluate_all,
    parse_conditions,
)
from journeys.core.decisions import Wait
from journeys.core.durations import duration_words, format_duration
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import (
    NO_CHANNELS,
    TIMEOUT_PATH_NEEDS_LIMIT,
    Channels,
    Move,
    ParseContext,
    Stay,
    StepType,
    Walk,
    iso_words,
    read_duration,
    step_label,
    step_names,
    wait_ways,
    when,
)
from journeys.core.steps.form import DraftFacts, FormField, Timing


@dataclass(frozen=True, kw_only=True)
class WaitForEventStep(StepSpec):
    """Continue to `next` when `event` happens (or happened since entry); else time out."""

    type = "wait_for_event"
    event: str
    where: tuple[Condition, ...] = ()
    timeout: timedelta | None = None
    on_timeout: str | None = None


class WaitForEvent(StepType[WaitForEventStep]):
    key, spec, order, waits = "wait_for_event", WaitForEventStep, 30, True
    label = "Wait for something to happen"
    description = "Go on when the contact does something; nudge them if they don't in time."
    fields = ("event", "where", "timeout", "on_timeout")
    form = (
        FormField(
            "event",
            "Wait for the event",
            "event",
            help="Pick one your product has sent, or type its name.",
            max_length=200,
        ),
        FormField(
            "timeout",
            "Wait at most",
            "duration",
            help="For example “2 days” or “3h”. Empty: wait as long as it takes.",
            required=False,
        ),
        FormField("where", "Only when the event has", "conditions", subject="property"),
    )
    blank_step = {"id": "Wait", "event": "", "timeout": "P2D"}
    look = "wait"

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        event = reader.text(raw, "event", path)
        where = parse_conditions(
            reader, reader.items(raw, "where", path), f"{path}.where", kinds=("property",)
        )
        timeout = read_duration(reader, raw, "timeout", path) if "timeout" in raw else None
        on_timeout = reader.text(raw, "on_timeout", path, required=False)
        if on_timeout is not None and "timeout" not in raw:
            reader.add(f"{path}.on_timeout", TIMEOUT_PATH_NEEDS_LIMIT)
        if event is None:
            return None
        return {"event": event, "where": where, "timeout": timeout, "on_timeout": on_timeout}

    def dump(self, step: WaitForEventStep) -> dict[str, Any]:
        data: dict[str, Any] = {"event": step.event}
        if step.where:
            data["where"] = [dump_condition(condition) for condition in step.where]
        if step.timeout is not None:
            data["timeout"] = format_duration(step.timeout)
        if step.on_timeout is not None:
            data["on_timeout"] = step.on_timeout
        return data

    def targets(self, step: WaitForEventStep) -> list[tuple[str, str]]:
        found = super().targets(step)
        return found + ([("on_timeout", step.on_timeout)] if step.on_timeout else [])

    def ways_out(
        self, step: WaitForEventStep, journey: JourneySpec
    ) -> list[tuple[str, str | None]]:
        timed = step.timeout is not None
        return wait_ways(journey, step, step.event, timed=timed, on_timeout=step.on_timeout)

    def falls_through(self, step: WaitForEventStep) -> bool:
        timeout_falls = step.timeout is not None and step.on_timeout is None
        return step.next is None or timeout_falls

    def run(self, step: WaitForEventStep, walk: Walk) -> Move | None:
        done = walk.performed_since_entry(step.event, step.where)
        if done is not None:
            at = when(done.timestamp)
            walk.note("already_performed", f"{step.event} already performed at {at}: continuing")
            walk.use_event(done)
            return Move("already performed", walk.spec.following(step.id))
        wake = walk.now + step.timeout if step.timeout is not None else None
        walk.add(Wait(step.id, wake, step.event))
        until = f"until {when(wake)}" if wake is not None else "with no timeout"
        walk.note("waiting", f"waiting for {step.event} {until}", event=step.event)
        return None

    def on_event(self, step: WaitForEventStep, walk: Walk, event: EventView) -> Move | Stay | None:
        if event.name != step.event:
            return None
        where = evaluate_all(step.where, Facts({}, event.properties, (), walk.now))
        if not where.held:
            message = f"nothing happened: {event.name} did not match: {where.explain()}"
            return Stay("ignored", message)
        target = walk.spec.following(step.id)
        walk.note("event", f"{event.name} happened: continuing to {target or 'the end'}")
        return Move("event", target)

    def on_wake(self, step: WaitForEventStep, walk: Walk) -> Move:
        done = walk.performed_since_entry(step.event, step.where)
        if done is not None:
            walk.note("event", f"{step.event} was performed at {when(done.timestamp)}: continuing")
            walk.use_event(done)
            return Move("event", walk.spec.following(step.id))
        target = step.on_timeout or walk.spec.following(step.id)
        took = "on_timeout" if step.on_timeout else "next"
        took += f" → {target or 'the end'}"
        timeout = format_duration(step.timeout) if step.timeout is not None else "no timeout"
        walk.note("timeout", f"timeout: no {step.event} after {timeout}: took {took}")
        return Move("timeout", target)

    def awaits(self, step: WaitForEventStep) -> str | None:
        return step.event

    def already_done(self, step: WaitForEventStep, walk: Walk) -> EventView | None:
        return walk.performed_since_entry(step.event, step.where)

    def conditions(self, step: WaitForEventStep) -> tuple[Condition, ...]:
        return step.where

    # --- the builder ----------------------------------------------------------------

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["next", "on_timeout"] if raw.get("timeout") else ["next"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        if key == "on_timeout":
            return f"If not within {iso_words(raw.get('timeout'))}"
        return f"If {raw.get('event') or 'it'} happens" if raw.get("timeout") else "Then"

    def timing(self, step: WaitForEventStep, arrival: datetime, zone: ZoneInfo) -> Timing | None:
        return None if step.timeout is None else ("times_out", arrival + step.timeout)

    def catalogue_events(self, step: WaitForEventStep) -> tuple[str, ...]:
        return (step.event,) if step.event else ()

    def warnings(self, step: WaitForEventStep, facts: DraftFacts) -> list[str]:
        if step.timeout is not None:
            return []
        return ["Waits with no time limit: people who never do it stay here for good."]

    def summary(
        self, step: WaitForEventStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        what = step.event
        if step.where:
            what += " where " + " and ".join(describe(condition) for condition in step.where)
        if step.timeout is None:
            return f"Wait for {what}, with no time limit"
        otherwise = step.on_timeout or journey.following(step.id)
        return f"Wait up to {duration_words(step.timeout)} for {what}, else go to " + (
            step_label(otherwise, step_names(journey.steps))
        )


STEP_TYPE = WaitForEvent()
