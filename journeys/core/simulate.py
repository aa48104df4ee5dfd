"""Dry runs: one contact through a journey in virtual time, with the pure engine only.

Nothing is sent or stored. Events are routed as the worker routes them (the open
enrollment first if the journey reacts to the event, then the entry check for a trigger),
and decisions are folded by journeys.core.reducer, the worker's reducer: a dry run decides,
refuses and explains what a real run would.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from journeys.core.clock import FakeClock
from journeys.core.durations import parse_duration
from journeys.core.engine import (
    Command,
    ContactView,
    Decision,
    EnrollmentState,
    EnterStep,
    EventStimulus,
    EventView,
    Finish,
    Notify,
    PriorEnrollment,
    SendMessage,
    Stimulus,
    TimeStimulus,
    TraceLine,
    UpdateTraits,
    Wait,
    decide,
    decide_entry,
    initial_state,
    spec_event_names,
)
from journeys.core.reducer import reduce_decision
from journeys.core.spec import JourneySpec
from journeys.core.steps import STEP_TYPES

_OFFSET = re.compile(r"^\+(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")
# Trace codes whose sentence repeats a command the timeline already shows; each step
# type adds its own (`StepType.quiet_trace`).
_SHOWN_BY_COMMANDS = frozenset({"waiting", "completed", "converted", "exited"})


def _shown_by_commands() -> frozenset[str]:
    return _SHOWN_BY_COMMANDS.union(*(t.quiet_trace for t in STEP_TYPES.values()))


DEFAULT_HORIZON = timedelta(days=90)


@dataclass(frozen=True)
class ScriptEvent:
    at: datetime
    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a dry run: when, what kind (event, step, send, wait, ...), and text."""

    at: datetime
    kind: str
    text: str


@dataclass(frozen=True)
class Simulation:
    """The timeline; the messages that would go out; the last enrollment and how many
    there were; and `traces`, every explanation the worker would store (one tuple per
    decision, as DecisionTrace rows)."""

    entries: tuple[TimelineEntry, ...]
    sent: tuple[SendMessage, ...]
    final: EnrollmentState | None
    enrollments: int
    traces: tuple[tuple[TraceLine, ...], ...] = ()


def parse_offset(text: str) -> timedelta:
    """`+1h`, `+2d3h`, `+30m`, `+1w` or `+P2D` → timedelta; ValueError otherwise."""
    if text.startswith("+P"):
        return parse_duration(text[1:])
    match = _OFFSET.match(text)
    if match is None or text == "+":
        raise ValueError(f'"{text}" is not an offset such as +1h, +2d, +30m or +P2D')
    weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)


def parse_script(raw: Sequence[Any], *, start: datetime) -> list[ScriptEvent]:
    """Script items {"at": "+1h" or ISO time, "event": name, "properties": {...}}, in order."""
    events = []
    for position, item in enumerate(raw):
        if not isinstance(item, Mapping) or not isinstance(item.get("event"), str):
            raise ValueError(f'events[{position}]: needs "event" (a name) and "at"')
        at_text = str(item.get("at", "+0s"))
        if at_text.startswith("+"):
            at = start + parse_offset(at_text)
        else:
            at = datetime.fromisoformat(at_text)
            if at.tzinfo is None:
                raise ValueError(f'events[{position}].at: "{at_text}" needs a UTC offset')
        properties = item.get("properties") or {}
        events.append(ScriptEvent(at=at, name=item["event"], properties=properties))
    return sorted(events, key=lambda event: event.at)


class _Run:
    def __init__(self, spec: JourneySpec, contact: ContactView, start: datetime) -> None:
        self.spec, self.contact, self.clock = spec, contact, FakeClock(start)
        self.names = spec_event_names(spec)
        self.entries: list[TimelineEntry] = []
        self.traces: list[tuple[TraceLine, ...]] = []
        self.sent: list[SendMessage] = []
        self.history: list[EventView] = []
        self.prior: list[PriorEnrollment] = []
        self.state: EnrollmentState | None = None

    def say(self, kind: str, text: str) -> None:
        self.entries.append(TimelineEntry(self.clock.now(), kind, text))

    def apply(self, stimulus: Stimulus, decision: Decision) -> None:
        assert self.state is not None
        now = self.clock.now()
        reduced = reduce_decision(self.state, stimulus, decision, now=now)
        self._store(decision.trace)
        self._store(reduced.refusals)
        for line in decision.trace:
            if line.code not in _shown_by_commands():
                self.say("why", line.message)
        for command in reduced.commands:
            self._show(command)
        for line in reduced.refusals:
            self.say("refused", line.message)
        self.state = reduced.state
        self.contact = self.state.contact
        if self.state.finished:
            entered = self.state.entered_at
            self.prior[-1] = PriorEnrollment(self.state.state, entered, now)

    def _store(self, lines: tuple[TraceLine, ...]) -> None:
        if lines:
            self.traces.append(lines)

    def _show(self, command: Command) -> None:
        if isinstance(command, EnterStep):
            self.say("step", f"{command.step_id} ({command.step_type})")
        elif isinstance(command, SendMessage):
            self.sent.append(command)
            said = f"would send {command.channel}, variant {command.variant_name}"
            why = f", {command.language_reason}" if command.language_reason else ""
            self.say("send", said + why)
        elif isinstance(command, Wait):
            until = f"until {command.until:%Y-%m-%d %H:%M} UTC" if command.until else "(no timer)"
            what = f"for {command.for_event} " if command.for_event else ""
            self.say("wait", f"{what}{until}")
        elif isinstance(command, UpdateTraits):
            self.say("update", f"would set {json.dumps(command.as_dict(), default=str)}")
        elif isinstance(command, Notify):
            self.say("notify", f"would notify {command.to}: {command.text}")
        elif isinstance(command, Finish):
            self.say(command.state, command.reason)

    def wake_until(self, limit: datetime) -> None:
        """Fire due timers up to `limit`, in order."""
        while self.state is not None and not self.state.finished:
            wake_at = self.state.wake_at
            if self.state.state != "waiting" or wake_at is None or wake_at > limit:
                return
            self.clock.set(wake_at)
            stimulus = TimeStimulus(wake_at)
            self.apply(stimulus, decide(self.state, stimulus, self.spec, now=self.clock.now()))

    def receive(self, item: ScriptEvent) -> None:
        self.clock.set(item.at)
        event = EventView(item.name, dict(item.properties), self.clock.now())
        self.history.append(event)
        props = f" {json.dumps(item.properties, default=str)}" if item.properties else ""
        self.say("event", f"{item.name}{props}")
        if item.name not in self.names:
            self.say("why", f"nothing happens: this journey does not react to {item.name}")
            return
        if self.state is not None and not self.state.finished:
            stimulus = EventStimulus(event)
            self.apply(stimulus, decide(self.state, stimulus, self.spec, now=self.clock.now()))
        if item.name == self.spec.trigger.event:
            self.enter(event)

    def enter(self, event: EventView) -> None:
        now = self.clock.now()
        entry = decide_entry(
            spec=self.spec,
            contact=self.contact,
            event=event,
            history=self.history,
            active_or_past=self.prior,
            now=now,
        )
        self._store(entry.trace)
        for line in entry.trace:
            if line.code != "trigger" or not entry.enroll:
                self.say("entry", line.message)
        if not entry.enroll:
            return
        self.prior.append(PriorEnrollment("active", now))
        self.state = initial_state(
            enrollment_id=len(self.prior),
            contact=self.contact,
            spec=self.spec,
            version=1,
            event=event,
            now=now,
        )
        stimulus = EventStimulus(event)
        self.apply(stimulus, decide(self.state, stimulus, self.spec, now=now))


def simulate(
    spec: JourneySpec,
    *,
    contact: ContactView,
    script: Sequence[ScriptEvent],
    start: datetime,
    horizon: timedelta = DEFAULT_HORIZON,
) -> Simulation:
    """Run the script through the engine, firing timers in virtual time, until `horizon`
    after the last scripted event (or until the enrollment finishes)."""
    run = _Run(spec, contact, start)
    for item in sorted(script, key=lambda event: event.at):
        run.wake_until(item.at)
        run.receive(item)
    last = max([start, *(item.at for item in script)])
    run.wake_until(last + horizon)
    return Simulation(
        tuple(run.entries), tuple(run.sent), run.state, len(run.prior), tuple(run.traces)
    )


def format_timeline(simulation: Simulation, *, start: datetime) -> str:
    """The timeline as text: offset from start, UTC time, kind, and what happened."""
    lines = []
    previous: datetime | None = None
    for entry in simulation.entries:
        if entry.at != previous:
            offset = entry.at - start
            days, seconds = offset.days, offset.seconds
            stamp = f"+{days}d {seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
            when = f"{stamp:>10}  {entry.at:%Y-%m-%d %H:%M} UTC"
        else:
            when = " " * 32
        previous = entry.at
        lines.append(f"{when}  {entry.kind:<9} {entry.text}")
    return "\n".join(lines)
