"""decide() on the issue's example journey: entry walk, waits, goal, exit, stale wake-ups."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from journeys.core.engine import (
    EnterStep,
    EventStimulus,
    Finish,
    LeaveStep,
    SendMessage,
    TimeStimulus,
    UseEvent,
    Wait,
    decide,
)
from tests.journeys.core.helpers import DAY, HOUR, T0, Driver, event, messages

SIGNED_UP = event("Signed Up", T0, plan="free")


def started(spec):
    driver = Driver(spec)
    driver.start(SIGNED_UP)
    return driver


def test_entry_sends_hello_then_waits_for_upload(welcome):
    decision = Driver(welcome).start(SIGNED_UP)
    assert decision.commands == (
        EnterStep("hello", "message"),
        SendMessage("hello", "email", "A"),
        LeaveStep("hello", "sent"),
        EnterStep("wait_upload", "wait_for_event"),
        Wait("wait_upload", T0 + 2 * DAY, "Uploaded File"),
    )
    assert messages(decision) == [
        "started at hello on Signed Up",
        "message hello: email, variant A",
        "waiting for Uploaded File until 2026-11-27 10:00 UTC",
    ]


def test_driver_state_after_entry(welcome):
    driver = started(welcome)
    assert driver.state.step_id == "wait_upload"
    assert driver.state.state == "waiting"
    assert driver.state.wake_at == T0 + 2 * DAY
    assert driver.state.last_event == SIGNED_UP


def test_upload_praises_and_completes(welcome):
    driver = started(welcome)
    uploaded = event("Uploaded File", T0 + HOUR, filename="a.pdf")
    decision = driver.send(uploaded)
    assert decision.commands == (
        LeaveStep("wait_upload", "event"),
        EnterStep("praise", "message"),
        SendMessage("praise", "in_app", "A"),
        LeaveStep("praise", "sent"),
        EnterStep("end", "exit"),
        LeaveStep("end", "completed"),
        Finish("completed", "reached exit step end"),
    )
    assert driver.state.state == "completed"
    assert driver.state.last_event == uploaded


def test_timeout_takes_on_timeout_to_nudge(welcome):
    driver = started(welcome)
    decision = driver.wake(T0 + 2 * DAY + timedelta(seconds=40))
    assert decision.commands == (
        LeaveStep("wait_upload", "timeout"),
        EnterStep("nudge", "message"),
        SendMessage("nudge", "sms", "A"),
        LeaveStep("nudge", "sent"),
        EnterStep("end", "exit"),
        LeaveStep("end", "completed"),
        Finish("completed", "reached exit step end"),
    )
    assert messages(decision)[0] == "timeout: no Uploaded File after P2D: took on_timeout → nudge"


def test_timeout_after_a_missed_upload_takes_the_event_path(welcome):
    driver = started(welcome)
    uploaded = event("Uploaded File", T0 + HOUR)
    driver.state = replace(driver.state, events=(*driver.state.events, uploaded))
    decision = driver.wake()
    assert decision.commands[:4] == (
        UseEvent(uploaded),  # the praise speaks of the upload (its file name)
        LeaveStep("wait_upload", "event"),
        EnterStep("praise", "message"),
        SendMessage("praise", "in_app", "A"),
    )
    assert messages(decision)[0] == (
        "Uploaded File was performed at 2026-11-25 11:00 UTC: continuing"
    )


def test_goal_converts_and_stops(welcome):
    driver = started(welcome)
    decision = driver.send(event("Invited Teammate", T0 + DAY))
    assert decision.commands == (
        LeaveStep("wait_upload", "converted"),
        Finish("converted", "performed goal Invited Teammate at 2026-11-26 10:00 UTC"),
    )
    assert driver.state.state == "converted"
    assert driver.state.wake_at is None


def test_goal_after_its_window_does_not_convert(welcome):
    driver = started(welcome)
    decision = driver.send(event("Invited Teammate", T0 + 15 * DAY))
    assert decision.commands == ()
    assert messages(decision) == [
        "nothing happened: goal Invited Teammate at 2026-12-10 10:00 UTC came after its window "
        "(P14D) closed"
    ]
    assert driver.state.state == "waiting"


def test_exit_event_exits(welcome):
    driver = started(welcome)
    decision = driver.send(event("Account Deleted", T0 + HOUR))
    assert decision.commands == (
        LeaveStep("wait_upload", "exited"),
        Finish("exited", "exit event Account Deleted at 2026-11-25 11:00 UTC"),
    )
    assert driver.state.state == "exited"


def test_an_event_that_does_not_matter_changes_nothing(welcome):
    driver = started(welcome)
    before = driver.state
    decision = driver.send(event("Opened App", T0 + HOUR))
    assert decision.commands == ()
    assert messages(decision) == [
        "nothing happened: Opened App does not matter at wait_upload "
        "(waiting for Uploaded File until 2026-11-27 10:00 UTC)"
    ]
    assert driver.state.step_id == before.step_id
    assert driver.state.wake_at == before.wake_at


def test_a_finished_enrollment_never_moves(welcome):
    driver = started(welcome)
    driver.send(event("Account Deleted", T0 + HOUR))
    on_event = decide(
        driver.state,
        EventStimulus(event("Uploaded File", T0 + 2 * HOUR)),
        welcome,
        now=T0 + 2 * HOUR,
    )
    on_time = decide(driver.state, TimeStimulus(T0 + 2 * DAY), welcome, now=T0 + 3 * DAY)
    assert on_event.commands == ()
    assert on_time.commands == ()
    assert messages(on_event) == ["nothing to do: the enrollment is already exited"]


def test_a_stale_wake_up_does_nothing(welcome):
    driver = started(welcome)
    decision = decide(driver.state, TimeStimulus(T0 + DAY), welcome, now=T0 + 3 * DAY)
    assert decision.commands == ()
    assert messages(decision) == [
        "stale wake-up: scheduled for 2026-11-26 10:00 UTC, "
        "but the enrollment now wakes at 2026-11-27 10:00 UTC"
    ]


def test_a_wake_up_before_its_time_does_nothing(welcome):
    driver = started(welcome)
    decision = decide(driver.state, TimeStimulus(T0 + 2 * DAY), welcome, now=T0 + DAY)
    assert decision.commands == ()
    assert messages(decision) == ["not due yet: wakes at 2026-11-27 10:00 UTC"]


def test_a_wake_up_after_the_enrollment_moved_on_does_nothing(welcome):
    driver = started(welcome)
    scheduled = driver.state.wake_at
    driver.send(event("Uploaded File", T0 + HOUR))
    decision = decide(driver.state, TimeStimulus(scheduled), welcome, now=scheduled)
    assert decision.commands == ()
    assert messages(decision) == ["nothing to do: the enrollment is already completed"]


def test_a_step_missing_from_the_version_fails_the_enrollment(welcome):
    driver = started(welcome)
    moved = replace(driver.state, step_id="gone")
    decision = decide(moved, TimeStimulus(T0 + 2 * DAY), welcome, now=T0 + 2 * DAY)
    assert decision.commands == (Finish("failed", "step gone is not in version 1"),)


def test_decide_is_deterministic(welcome):
    driver = started(welcome)
    stimulus = EventStimulus(event("Uploaded File", T0 + HOUR))
    first = decide(driver.state, stimulus, welcome, now=T0 + HOUR)
    again = decide(driver.state, stimulus, welcome, now=T0 + HOUR)
    assert first == again
