"""The one reducer of engine decisions: an enrollment plus a Decision gives the next one.

The worker (journeys.run.enrollment_batch) and the simulator (journeys.core.simulate) both
fold decisions through `reduce_decision`, so a dry run and a real run cannot disagree: the
same commands are carried out, the same ones are refused (traits the event API would
refuse, a timer that does not move), and the enrollment ends up in the same state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from journeys.core.decisions import (
    Command,
    Decision,
    EnrollmentState,
    EnterStep,
    EventStimulus,
    Finish,
    Stimulus,
    TimeStimulus,
    TraceLine,
    UpdateTraits,
    UseEvent,
    Wait,
)
from journeys.core.traits import TraitError, extract_known_traits

STUCK = "the wake-up did not move the enrollment"


@dataclass(frozen=True)
class Reduced:
    """The enrollment after a decision, the commands to carry out (in order), and the
    lines explaining any command that was refused (written as a trace of their own)."""

    state: EnrollmentState
    commands: tuple[Command, ...]
    refusals: tuple[TraceLine, ...] = ()


def reduce_decision(
    state: EnrollmentState, stimulus: Stimulus, decision: Decision, *, now: datetime
) -> Reduced:
    """Carry out `decision` at `now` on `state`, refusing what the runtime refuses."""
    events = tuple(state.events)
    last_event = state.last_event
    if isinstance(stimulus, EventStimulus):
        if stimulus.event not in events:
            events = (*events, stimulus.event)
        if decision.commands:
            last_event = stimulus.event
    changes: dict[str, Any] = {}
    traits = dict(state.contact.traits)
    commands: list[Command] = []
    refusals: list[TraceLine] = []
    for command in decision.commands:
        if isinstance(command, UseEvent):
            last_event = command.event
        if isinstance(command, UpdateTraits):
            refusal = _update_traits(traits, command)
            if refusal is not None:
                refusals.append(refusal)
                continue
        commands.append(command)
        changes |= _state_changes(command, now)
    after = replace(state.contact, traits=traits)
    new = replace(state, contact=after, events=events, last_event=last_event, **changes)
    if _stuck(stimulus, new, now):
        stop = Finish("failed", STUCK)
        commands.append(stop)
        refusals.append(TraceLine("engine.error", f"Stopped: {STUCK}.", {}))
        new = replace(new, **_state_changes(stop, now))
    return Reduced(new, tuple(commands), tuple(refusals))


def _state_changes(command: Command, now: datetime) -> dict[str, Any]:
    match command:
        case EnterStep(step_id=step_id):
            return {"step_id": step_id, "step_entered_at": now, "state": "active", "wake_at": None}
        case Wait(until=until):
            return {"state": "waiting", "wake_at": until}
        case Finish(state=finished):
            return {"state": finished, "wake_at": None}
    return {}


def _update_traits(traits: dict[str, Any], command: UpdateTraits) -> TraceLine | None:
    """Apply the traits as the event API would (well-known ones normalised), or refuse."""
    values = command.as_dict()
    try:
        known = extract_known_traits(values)
    except TraitError as exc:
        return TraceLine("traits.refused", f"Traits not updated: {exc}.", {"values": values})
    traits.update(values)
    traits.update({name: value for name, value in known.as_fields().items() if value})
    return None


def _stuck(stimulus: Stimulus, state: EnrollmentState, now: datetime) -> bool:
    """A due timer that leaves the enrollment waiting on the same timer would spin forever."""
    return (
        isinstance(stimulus, TimeStimulus)
        and stimulus.scheduled_for <= now
        and state.state == "waiting"
        and state.wake_at == stimulus.scheduled_for
    )
