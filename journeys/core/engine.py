"""The pure decision engine: given an enrollment, one stimulus and the journey, decide.

No ORM, no HTTP, no settings, no clock of its own, no randomness: the same inputs always
give the same Decision. What each step does is its type's (journeys.core.steps); the engine
walks from step to step, routes events and timers, and applies goals and exits.
journeys.core.reducer folds a Decision into the next state, for the worker and the simulator
alike. The value types live in journeys.core.decisions and are re-exported here.
See docs/journey-format.md for the rules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from journeys.core.assignment import choose_path, choose_variant, stable_bucket
from journeys.core.conditions import Condition, EventView, Facts, evaluate_all, matching_events
from journeys.core.decisions import (
    FINISHED,
    Command,
    ContactView,
    Decision,
    EnrollmentState,
    EnterStep,
    EntryDecision,
    EventStimulus,
    Finish,
    FinishState,
    LeaveStep,
    Notify,
    PriorEnrollment,
    SendMessage,
    Status,
    Stimulus,
    TimeStimulus,
    TraceLine,
    UpdateTraits,
    UseEvent,
    Wait,
    initial_state,
)
from journeys.core.durations import format_duration
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps import Move, Stay, Walk, type_of
from journeys.core.steps.base import line, when

MAX_STEPS_PER_DECISION = 50

__all__ = [
    "FINISHED",
    "MAX_STEPS_PER_DECISION",
    "Command",
    "ContactView",
    "Decision",
    "EnrollmentState",
    "EnterStep",
    "EntryDecision",
    "EventStimulus",
    "EventView",
    "Finish",
    "FinishState",
    "LeaveStep",
    "Notify",
    "PriorEnrollment",
    "SendMessage",
    "Status",
    "Stimulus",
    "TimeStimulus",
    "TraceLine",
    "UpdateTraits",
    "UseEvent",
    "Wait",
    "choose_path",
    "choose_variant",
    "decide",
    "decide_entry",
    "spec_event_names",
    "initial_state",
    "stable_bucket",
]


def spec_event_names(spec: JourneySpec) -> frozenset[str]:
    """Every event name a journey reacts to or asks about: trigger, goal, exits, what its
    steps wait for, and event conditions anywhere. Other events never reach decide()."""
    names = {spec.trigger.event}
    if spec.goal is not None:
        names.add(spec.goal.event)
    names |= {rule.event for rule in spec.exits}
    conditions: list[Condition] = [*spec.audience, *spec.trigger.where]
    for step in spec.steps:
        step_type = type_of(step)
        names |= step_type.event_names(step)
        conditions += step_type.conditions(step)
    return frozenset(names | set(_condition_event_names(conditions)))


def _condition_event_names(conditions: Iterable[Condition]) -> Iterator[str]:
    for condition in conditions:
        if condition.kind == "event":
            yield condition.name
        yield from _condition_event_names(condition.where)


def decide_entry(
    *,
    spec: JourneySpec,
    contact: ContactView,
    event: EventView,
    history: Sequence[EventView],
    active_or_past: Sequence[PriorEnrollment],
    now: datetime,
) -> EntryDecision:
    """Should this event enroll the contact? Checks trigger + where, the audience, the
    re-entry rule (never two at once), and refuses contacts who already met the goal.
    `history` is the contact's past events (the window the runtime keeps)."""
    if event.name != spec.trigger.event:
        message = f"not enrolled: {event.name} is not the trigger ({spec.trigger.event})"
        return EntryDecision(False, (line("not_trigger", message, event=event.name),))
    where = evaluate_all(spec.trigger.where, Facts({}, event.properties, (), now))
    if not where.held:
        message = f"not enrolled: {event.name} did not match the trigger: {where.explain()}"
        return EntryDecision(False, (line("trigger_mismatch", message, event=event.name),))
    matched = f"{event.name} matched the trigger" + (
        f" ({where.explain()})" if spec.trigger.where else ""
    )
    trace = [line("trigger", matched, event=event.name)]
    refusal = _reentry_refusal(spec, active_or_past)
    if refusal is not None:
        return EntryDecision(False, (*trace, refusal))
    audience = evaluate_all(spec.audience, Facts(contact.traits, event.properties, history, now))
    if not audience.held:
        message = f"not enrolled: not in the audience: {audience.explain()}"
        return EntryDecision(False, (*trace, line("not_in_audience", message)))
    if spec.audience:
        trace.append(line("audience", f"in the audience: {audience.explain()}"))
    refusal = _goal_refusal(spec, event, history, now)
    if refusal is not None:
        return EntryDecision(False, (*trace, refusal))
    trace.append(line("entered", f"entered: {matched}", event=event.name))
    return EntryDecision(True, tuple(trace))


def _reentry_refusal(spec: JourneySpec, prior: Sequence[PriorEnrollment]) -> TraceLine | None:
    ongoing = [p for p in prior if p.state not in FINISHED]
    if ongoing:
        since = when(ongoing[0].entered_at)
        return line("already_enrolled", f"not enrolled: already in this journey since {since}")
    if prior and spec.reentry == "never":
        last = when(max(p.entered_at for p in prior))
        return line("reentry_never", f"not enrolled: entered before ({last}) and re-entry is never")
    return None


def _goal_refusal(
    spec: JourneySpec, event: EventView, history: Sequence[EventView], now: datetime
) -> TraceLine | None:
    """Someone who already performed the goal would only inflate conversion."""
    if spec.goal is None:
        return None
    earlier = [e for e in history if e != event]
    done = matching_events(earlier, spec.goal.event, spec.goal.where, now=now)
    if not done:
        return None
    message = (
        f"not enrolled: already performed goal {spec.goal.event} at {when(done[-1].timestamp)}"
    )
    return line("goal_already_met", message, goal=spec.goal.event)


def decide(
    state: EnrollmentState, stimulus: Stimulus, spec: JourneySpec, *, now: datetime
) -> Decision:
    """What an enrollment does on one stimulus: walk instant steps until a wait or the end.

    Goal events convert, exit events exit, irrelevant or stale stimuli do nothing (the
    trace says why). Finished enrollments never move.
    """
    if state.finished:
        return _nothing("finished", f"nothing to do: the enrollment is already {state.state}")
    if state.step_id is not None and not spec.has_step(state.step_id):
        reason = f"step {state.step_id} is not in version {state.journey_version}"
        return Decision((Finish("failed", reason),), (line("failed", f"failed: {reason}"),))
    if isinstance(stimulus, TimeStimulus):
        return _on_time(state, stimulus, spec, now)
    return _on_event(state, stimulus.event, spec, now)


def _nothing(code: str, message: str, **data: Any) -> Decision:
    return Decision((), (line(code, message, **data),))


def _on_event(
    state: EnrollmentState, event: EventView, spec: JourneySpec, now: datetime
) -> Decision:
    if state.step_id is None:
        walk = Walk(state, spec, now, event, type_of)
        walk.note("started", f"started at {spec.first_step.id} on {event.name}")
        return _walk_from(walk, spec.first_step.id)
    stop = _goal_or_exit(state, event, spec, now)
    if stop is not None:
        return stop
    step = spec.step(state.step_id)
    step_type = type_of(step)
    if state.state == "waiting" and event.name in step_type.event_names(step):
        walk = Walk(state, spec, now, event, type_of)
        result = step_type.on_event(step, walk, event)
        if isinstance(result, Move):
            walk.leave(step.id, result.outcome)
            return _walk_from(walk, result.target)
        if isinstance(result, Stay):
            return _nothing(result.code, result.message)
    return _nothing(
        "ignored",
        f"nothing happened: {event.name} does not matter at {step.id} ({_waiting(state, step)})",
        event=event.name,
    )


def _waiting(state: EnrollmentState, step: StepSpec) -> str:
    if state.state != "waiting":
        return f"the enrollment is {state.state}, not waiting"
    until = f"until {when(state.wake_at)}" if state.wake_at else "with no timeout"
    awaited = type_of(step).awaits(step)
    if awaited is not None:
        return f"waiting for {awaited} {until}"
    return f"waiting {until}"


def _walk_from(walk: Walk, step_id: str | None) -> Decision:
    """Walk instant steps from `step_id` until one waits, the journey ends, or the limit."""
    for _ in range(MAX_STEPS_PER_DECISION):
        if step_id is None:
            walk.finish("completed", "reached the end of the journey")
            return walk.decision()
        step = walk.spec.step(step_id)
        walk.add(EnterStep(step.id, step.type))
        move = type_of(step).run(step, walk)
        if move is None:
            return walk.decision()
        walk.leave(step.id, move.outcome)
        step_id = move.target
    walk.finish("failed", f"went through {MAX_STEPS_PER_DECISION} steps without waiting")
    return walk.decision()


def _goal_or_exit(
    state: EnrollmentState, event: EventView, spec: JourneySpec, now: datetime
) -> Decision | None:
    facts = Facts({}, event.properties, (), now)
    goal = spec.goal
    if goal is not None and goal.event == event.name and evaluate_all(goal.where, facts).held:
        at = event.timestamp or now
        if goal.within is None or at <= state.entered_at + goal.within:
            reason = f"performed goal {goal.event} at {when(at)}"
            return _finish(state, "converted", reason, "converted", f"converted: {reason}")
        window = format_duration(goal.within)
        late = f"goal {goal.event} at {when(at)} came after its window ({window}) closed"
        return _nothing("goal_late", f"nothing happened: {late}")
    for rule in spec.exits:
        if rule.event == event.name and evaluate_all(rule.where, facts).held:
            reason = f"exit event {event.name} at {when(event.timestamp or now)}"
            return _finish(state, "exited", reason, "exited", f"exited: {reason}")
    return None


def _finish(
    state: EnrollmentState, finish: FinishState, reason: str, code: str, message: str
) -> Decision:
    commands: list[Command] = []
    if state.step_id is not None:
        commands.append(LeaveStep(state.step_id, finish))
    commands.append(Finish(finish, reason))
    return Decision(tuple(commands), (line(code, message),))


def _on_time(
    state: EnrollmentState, stimulus: TimeStimulus, spec: JourneySpec, now: datetime
) -> Decision:
    if state.state != "waiting" or state.wake_at is None or state.step_id is None:
        return _nothing("stale", "nothing to do: the enrollment is not waiting on a timer")
    if stimulus.scheduled_for != state.wake_at:
        message = (
            f"stale wake-up: scheduled for {when(stimulus.scheduled_for)}, "
            f"but the enrollment now wakes at {when(state.wake_at)}"
        )
        return _nothing("stale", message)
    if now < state.wake_at:
        return _nothing("not_due", f"not due yet: wakes at {when(state.wake_at)}")
    step = spec.step(state.step_id)
    walk = Walk(state, spec, now, None, type_of)
    move = type_of(step).on_wake(step, walk)
    walk.leave(step.id, move.outcome)
    return _walk_from(walk, move.target)
