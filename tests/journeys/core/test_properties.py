"""Property-based checks: random event streams and time jumps through the example journey."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from journeys.core.engine import (
    FINISHED,
    EventStimulus,
    EventView,
    Finish,
    PriorEnrollment,
    SendMessage,
    TimeStimulus,
    Wait,
    decide,
    decide_entry,
    initial_state,
)
from journeys.core.format import parse_journey
from journeys.core.reducer import reduce_decision
from tests.journeys.core.helpers import T0, contact, journey, welcome_doc

NAMES = ["Signed Up", "Uploaded File", "Invited Teammate", "Account Deleted", "Opened App"]
NAG_LOOP = journey(
    [
        {"id": "nag", "type": "message", "channel": "sms", "variants": [{"body": "Upload?"}]},
        {
            "id": "wait",
            "type": "wait_for_event",
            "event": "Uploaded File",
            "timeout": "PT6H",
            "on_timeout": "nag",
        },
        {"id": "end", "type": "exit"},
    ],
    reentry="after_exit",
)
THANKS_LOOP = journey(
    [
        {
            "id": "w",
            "type": "wait_for_event",
            "event": "Uploaded File",
            "timeout": "P1D",
            "on_timeout": "end",
        },
        {
            "id": "thanks",
            "type": "message",
            "channel": "sms",
            "variants": [{"body": "Thanks!"}],
            "next": "w",
        },
        {"id": "end", "type": "exit"},
    ],
)

steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=4 * 24 * 60),  # minutes to advance
        st.sampled_from(["event", "event", "tick", "early", "stale"]),
        st.sampled_from(NAMES),
        st.sampled_from(["free", "trial", "pro"]),
    ),
    max_size=40,
)


def play(spec, script):
    """Drive one contact through `spec`: (trip, decision, state before) for each decision,
    the enrollments, and the decisions on early or stale wake-ups."""
    now, history, prior, state, log, ignored = T0, [], [], None, [], []
    who = contact(id=7)
    for minutes, kind, name, plan in script:
        now += timedelta(minutes=minutes)
        while state is not None and state.state == "waiting" and state.wake_at is not None:
            if state.wake_at > now:
                break
            stimulus = TimeStimulus(state.wake_at)
            decision = decide(state, stimulus, spec, now=state.wake_at)
            log.append((len(prior), decision, state))
            state = reduce_decision(state, stimulus, decision, now=state.wake_at).state
        if kind in ("early", "stale") and state is not None:
            # Early: the right wake-up before its time. Stale: one scheduled for another time.
            due = state.wake_at or now
            stimulus = TimeStimulus(due if kind == "early" else due - timedelta(minutes=1))
            decision = decide(state, stimulus, spec, now=now)
            log.append((len(prior), decision, state))
            ignored.append(decision)
            state = reduce_decision(state, stimulus, decision, now=now).state
            continue
        if kind == "tick":
            continue
        happened = EventView(name, {"plan": plan}, now)
        history.append(happened)
        if state is not None:
            # Finished enrollments get the event too: they must ignore it.
            was_finished = state.finished
            stimulus = EventStimulus(happened)
            decision = decide(state, stimulus, spec, now=now)
            log.append((len(prior), decision, state))
            state = reduce_decision(state, stimulus, decision, now=now).state
            if state.finished and not was_finished:
                prior[-1] = PriorEnrollment(state.state, state.entered_at, now)
            if not was_finished:
                continue
        entry = decide_entry(
            spec=spec, contact=who, event=happened, history=history, active_or_past=prior, now=now
        )
        if entry.enroll:
            prior.append(PriorEnrollment("active", now))
            state = initial_state(
                enrollment_id=len(prior), contact=who, spec=spec, version=1, event=happened, now=now
            )
            stimulus = EventStimulus(happened)
            decision = decide(state, stimulus, spec, now=now)
            log.append((len(prior), decision, state))
            state = reduce_decision(state, stimulus, decision, now=now).state
            if state.finished:
                prior[-1] = PriorEnrollment(state.state, state.entered_at, now)
    return log, prior, ignored


WELCOME = parse_journey(welcome_doc())
WELCOME_AGAIN = parse_journey(welcome_doc() | {"reentry": "after_exit"})


@settings(max_examples=300, deadline=None)
@given(steps)
def test_no_message_step_twice_in_one_trip(script):
    log, _, _ = play(WELCOME_AGAIN, script)
    sent = Counter(
        (trip, command.step_id)
        for trip, decision, _ in log
        for command in decision.commands
        if isinstance(command, SendMessage)
    )
    assert all(count == 1 for count in sent.values())


@settings(max_examples=300, deadline=None)
@given(steps)
def test_a_finished_enrollment_never_moves(script):
    log, _, _ = play(WELCOME_AGAIN, script)
    moved_after_finish = [d for _, d, before in log if before.state in FINISHED and d.commands]
    assert moved_after_finish == []


@settings(max_examples=300, deadline=None)
@given(steps)
def test_never_enrolls_twice_under_never(script):
    _, prior, _ = play(WELCOME, script)
    assert len(prior) <= 1


@settings(max_examples=300, deadline=None)
@given(steps)
def test_never_two_enrollments_at_once_under_after_exit(script):
    _, prior, _ = play(WELCOME_AGAIN, script)
    assert all(p.state in FINISHED for p in prior[:-1])


@settings(max_examples=200, deadline=None)
@given(steps)
def test_finish_and_wait_end_a_decision(script):
    log, _, _ = play(NAG_LOOP, script)
    commands = [decision.commands for _, decision, _ in log if decision.commands]
    assert all(isinstance(c[-1], Finish | Wait) for c in commands)
    assert all(sum(isinstance(x, Finish | Wait) for x in c) == 1 for c in commands)


@pytest.mark.parametrize("spec", [NAG_LOOP, THANKS_LOOP], ids=["nag", "thanks"])
@settings(max_examples=200, deadline=None)
@given(script=steps)
def test_a_loop_through_a_wait_sends_at_most_once_per_decision(spec, script):
    log, _, _ = play(spec, script)
    per_decision = [
        Counter(c.step_id for c in decision.commands if isinstance(c, SendMessage))
        for _, decision, _ in log
    ]
    assert all(count <= 1 for counts in per_decision for count in counts.values())


@settings(max_examples=300, deadline=None)
@given(steps)
def test_early_or_stale_wake_ups_do_nothing(script):
    _, _, ignored = play(WELCOME_AGAIN, script)
    assert [decision.commands for decision in ignored if decision.commands] == []
