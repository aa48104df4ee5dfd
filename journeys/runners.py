"""What each step type does when an enrollment enters it, keyed like journeys.steps.

A runner adds commands and trace lines to the walk and returns (outcome, next step id) to
go on, or None to stop (a wait or the end).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from journeys.conditions import EventView, Facts, evaluate_all, matching_events
from journeys.decisions import (
    Command,
    Decision,
    EnrollmentState,
    EnterStep,
    Finish,
    FinishState,
    LeaveStep,
    Notify,
    SendMessage,
    TraceLine,
    UpdateTraits,
    Wait,
)
from journeys.durations import LocalTimeRule, format_duration
from journeys.spec import (
    BranchStep,
    DelayStep,
    ExitStep,
    JourneySpec,
    MessageStep,
    NotifyStep,
    SplitStep,
    StepSpec,
    UpdateContactStep,
    Variant,
    WaitForEventStep,
)
from journeys.steps import STEP_TYPES

MAX_STEPS_PER_DECISION = 50


def stable_bucket(contact_id: int | str, journey_key: str, step_id: str, buckets: int) -> int:
    """A number in [0, buckets) fixed by (contact, journey, step): same input, same answer.

    The first 8 bytes of SHA-256 over the three values; no random module, no seed.
    """
    text = f"{contact_id}\x1f{journey_key}\x1f{step_id}"
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def choose_variant(contact_id: int | str, journey_key: str, step: MessageStep) -> Variant:
    """The contact's variant of a message step, by weight, stable across re-runs."""
    total = sum(variant.weight for variant in step.variants)
    bucket = stable_bucket(contact_id, journey_key, step.id, total)
    for variant in step.variants:
        if bucket < variant.weight:
            return variant
        bucket -= variant.weight
    raise AssertionError("unreachable: weights add up to total")


def choose_path(contact_id: int | str, journey_key: str, step: SplitStep) -> int:
    """The index of the contact's path through a split, stable across re-runs."""
    bucket = stable_bucket(contact_id, journey_key, step.id, 100)
    for index, path in enumerate(step.paths):
        if bucket < path.percent:
            return index
        bucket -= path.percent
    raise AssertionError("unreachable: percents add up to 100")


def when(moment: datetime | None) -> str:
    return "(unknown time)" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def line(code: str, message: str, **data: Any) -> TraceLine:
    return TraceLine(code, message, data)


class Walk:
    """Walks instant steps from one step, collecting commands and trace lines."""

    def __init__(
        self, state: EnrollmentState, spec: JourneySpec, now: datetime, event: EventView | None
    ) -> None:
        self.state, self.spec, self.now = state, spec, now
        self.last_event = event or state.last_event
        events = list(state.events)
        if event is not None and event not in events:
            events.append(event)
        self.events: Sequence[EventView] = events
        self.traits = dict(state.contact.traits)
        self.commands: list[Command] = []
        self.trace: list[TraceLine] = []

    def note(self, code: str, message: str, **data: Any) -> None:
        self.trace.append(line(code, message, **data))

    def leave(self, step_id: str, outcome: str) -> None:
        self.commands.append(LeaveStep(step_id, outcome))

    def already_performed(self, step: WaitForEventStep) -> EventView | None:
        """The latest event since entry that satisfies this wait, if any.

        The event that last moved the enrollment is used up: it (and anything of the same
        name before it) cannot satisfy the next wait for that event, so a loop back to a
        wait needs a new event.
        """
        since = self.state.entered_at
        moved_by = self.last_event
        if moved_by is not None and moved_by.name == step.event and moved_by.timestamp:
            since = max(since, moved_by.timestamp)
        found = matching_events(self.events, step.event, step.where, now=self.now, since=since)
        fresh = [e for e in found if e != moved_by and (e.timestamp or since) >= since]
        return fresh[-1] if fresh else None

    def facts(self) -> Facts:
        properties = self.last_event.properties if self.last_event is not None else {}
        return Facts(self.traits, properties, self.events, self.now)

    def run(self, step_id: str | None) -> Decision:
        for _ in range(MAX_STEPS_PER_DECISION):
            if step_id is None:
                self.finish("completed", "reached the end of the journey")
                return self.decision()
            step = self.spec.step(step_id)
            self.commands.append(EnterStep(step.id, step.type))
            result = RUNNERS[step.type](step, self)
            if result is None:
                return self.decision()
            outcome, step_id = result
            self.leave(step.id, outcome)
        self.finish("failed", f"went through {MAX_STEPS_PER_DECISION} steps without waiting")
        return self.decision()

    def finish(self, state: FinishState, reason: str) -> None:
        self.commands.append(Finish(state, reason))
        self.note(state, f"{state}: {reason}")

    def decision(self) -> Decision:
        return Decision(tuple(self.commands), tuple(self.trace))


Outcome = tuple[str, str | None] | None
Runner = Callable[[Any, Walk], Outcome]
RUNNERS: dict[str, Runner] = {}


def runs(step_class: type[StepSpec]) -> Callable[[Runner], Runner]:
    """Register the runner of a step type; the key comes from the spec class."""

    def register(runner: Runner) -> Runner:
        if step_class.type in RUNNERS:
            raise ValueError(f"step type {step_class.type!r} already has a runner")
        RUNNERS[step_class.type] = runner
        return runner

    return register


@runs(MessageStep)
def _message(step: MessageStep, walk: Walk) -> Outcome:
    variant = choose_variant(walk.state.contact.id, walk.spec.key, step)
    walk.commands.append(SendMessage(step.id, step.channel, variant.name))
    walk.note("message", f"message {step.id}: {step.channel}, variant {variant.name}")
    return "sent", walk.spec.following(step.id)


@runs(DelayStep)
def _delay(step: DelayStep, walk: Walk) -> Outcome:
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
        return "waited", walk.spec.following(step.id)
    walk.commands.append(Wait(step.id, wake, None))
    local = wake.astimezone(zone)
    walk.note("waiting", f"{why}: waiting until {when(wake)} ({local:%a %H:%M} {zone.key})")
    return None


@runs(WaitForEventStep)
def _wait_for_event(step: WaitForEventStep, walk: Walk) -> Outcome:
    done = walk.already_performed(step)
    if done is not None:
        at = when(done.timestamp)
        walk.note("already_performed", f"{step.event} already performed at {at}: continuing")
        return "already performed", walk.spec.following(step.id)
    wake = walk.now + step.timeout if step.timeout is not None else None
    walk.commands.append(Wait(step.id, wake, step.event))
    until = f"until {when(wake)}" if wake is not None else "with no timeout"
    walk.note("waiting", f"waiting for {step.event} {until}", event=step.event)
    return None


@runs(BranchStep)
def _branch(step: BranchStep, walk: Walk) -> Outcome:
    result = evaluate_all(step.conditions, walk.facts(), match=step.match)
    outcome = "then" if result.held else "else"
    target = (step.then if result.held else step.else_) or walk.spec.following(step.id)
    walk.note("branch", f"branch {step.id}: {outcome} → {target or 'the end'} ({result.explain()})")
    return outcome, target


@runs(SplitStep)
def _split(step: SplitStep, walk: Walk) -> Outcome:
    index = choose_path(walk.state.contact.id, walk.spec.key, step)
    path = step.paths[index]
    walk.note("split", f"split {step.id}: path {index + 1} ({path.percent} %) → {path.next}")
    return f"path {index + 1}", path.next


@runs(UpdateContactStep)
def _update_contact(step: UpdateContactStep, walk: Walk) -> Outcome:
    walk.commands.append(UpdateTraits(step.id, step.set))
    walk.traits.update(step.values())
    names = ", ".join(f"{name}={value!r}" for name, value in step.set)
    walk.note("update_contact", f"{step.id}: traits {names}")
    return "updated", walk.spec.following(step.id)


@runs(NotifyStep)
def _notify(step: NotifyStep, walk: Walk) -> Outcome:
    walk.commands.append(Notify(step.id, step.to, step.text))
    walk.note("notify", f"notify {step.id}: note to {step.to}")
    return "notified", walk.spec.following(step.id)


@runs(ExitStep)
def _exit(step: ExitStep, walk: Walk) -> Outcome:
    walk.leave(step.id, "completed")
    walk.finish("completed", f"reached exit step {step.id}")
    return None


if set(RUNNERS) != set(STEP_TYPES):
    raise ImportError(f"step types without a runner: {set(STEP_TYPES) ^ set(RUNNERS)}")
