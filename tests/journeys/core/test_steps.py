"""Each step type as the engine runs it."""

from __future__ import annotations

from datetime import UTC, datetime, time

from journeys.core.conditions import Condition
from journeys.core.engine import (
    MAX_STEPS_PER_DECISION,
    ContactView,
    EnterStep,
    Finish,
    LeaveStep,
    Notify,
    SendMessage,
    UpdateTraits,
    UseEvent,
    Wait,
)
from journeys.core.spec import JourneySpec, Trigger
from journeys.core.steps.branch import BranchStep
from tests.journeys.core.helpers import DAY, HOUR, T0, Driver, contact, event, journey, messages

END = {"id": "end", "type": "exit"}
SMS = {"type": "message", "channel": "sms", "variants": [{"body": "hi"}]}


def test_delay_duration_waits_then_continues():
    spec = journey([{"id": "pause", "type": "delay", "duration": "PT3H"}, {"id": "m"} | SMS, END])
    driver = Driver(spec)
    first = driver.start(event("Signed Up"))
    assert first.commands == (EnterStep("pause", "delay"), Wait("pause", T0 + 3 * HOUR, None))
    assert messages(first)[-1] == (
        "delay pause: waiting PT3H: waiting until 2026-11-25 13:00 UTC (Wed 13:00 UTC)"
    )
    woke = driver.wake()
    assert woke.commands[:3] == (
        LeaveStep("pause", "waited"),
        EnterStep("m", "message"),
        SendMessage("m", "sms", "A"),
    )


def test_delay_ignores_events_while_waiting():
    spec = journey([{"id": "pause", "type": "delay", "duration": "P1D"}, END])
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    decision = driver.send(event("Opened App", T0 + HOUR))
    assert decision.commands == ()
    assert messages(decision) == [
        "nothing happened: Opened App does not matter at pause (waiting until 2026-11-26 10:00 UTC)"
    ]
    assert driver.state.wake_at == T0 + DAY


UNTIL_NINE = {
    "id": "morning",
    "type": "delay",
    "until": {"time": "09:00", "weekdays": ["mon", "tue", "wed", "thu", "fri"]},
}


def test_delay_until_uses_the_contact_time_zone():
    spec = journey([UNTIL_NINE, END])
    driver = Driver(spec, contact(tz="Europe/Paris"))
    decision = driver.start(event("Signed Up", T0))  # Wednesday 11:00 in Paris
    assert decision.commands[-1] == Wait("morning", datetime(2026, 11, 26, 8, 0, tzinfo=UTC))
    assert messages(decision)[-1] == (
        "delay morning: until 09:00 Europe/Paris (mon, tue, wed, thu, fri): "
        "waiting until 2026-11-26 08:00 UTC (Thu 09:00 Europe/Paris)"
    )


def test_delay_until_across_paris_spring_forward():
    spec = journey([UNTIL_NINE, END])
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    decision = Driver(spec, contact(tz="Europe/Paris")).start(event("Signed Up", saturday))
    assert decision.commands[-1] == Wait("morning", datetime(2026, 3, 30, 7, 0, tzinfo=UTC))


def test_delay_until_across_new_york_fall_back():
    spec = journey([UNTIL_NINE, END])
    saturday = datetime(2026, 10, 31, 18, 0, tzinfo=UTC)
    decision = Driver(spec, contact(tz="America/New_York")).start(event("Signed Up", saturday))
    assert decision.commands[-1] == Wait("morning", datetime(2026, 11, 2, 14, 0, tzinfo=UTC))


def test_delay_until_falls_back_to_the_source_zone_then_the_site_zone():
    spec = journey([UNTIL_NINE, END])
    from_source = ContactView(id=1, timezone="Nowhere/Land", source_timezone="America/New_York")
    from_site = ContactView(id=1, site_timezone="Europe/Paris")
    by_source = Driver(spec, from_source).start(event("Signed Up", T0))
    by_site = Driver(spec, from_site).start(event("Signed Up", T0))
    assert by_source.commands[-1] == Wait("morning", datetime(2026, 11, 25, 14, 0, tzinfo=UTC))
    assert by_site.commands[-1] == Wait("morning", datetime(2026, 11, 26, 8, 0, tzinfo=UTC))


def test_delay_until_now_continues_at_once():
    spec = journey([{"id": "at", "type": "delay", "until": {"time": "10:00"}}, END])
    decision = Driver(spec).start(event("Signed Up", T0))
    assert decision.commands[:2] == (EnterStep("at", "delay"), LeaveStep("at", "waited"))
    assert decision.commands[-1] == Finish("completed", "reached exit step end")


def test_wait_for_event_without_timeout_has_no_timer():
    spec = journey([{"id": "w", "type": "wait_for_event", "event": "Uploaded File"}, END])
    decision = Driver(spec).start(event("Signed Up"))
    assert decision.commands[-1] == Wait("w", None, "Uploaded File")
    assert messages(decision)[-1] == "waiting for Uploaded File with no timeout"


def test_wait_for_event_counts_an_event_performed_since_entry():
    spec = journey(
        [
            {"id": "pause", "type": "delay", "duration": "P1D"},
            {"id": "w", "type": "wait_for_event", "event": "Uploaded File", "timeout": "P2D"},
            {"id": "m"} | SMS,
        ]
    )
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    driver.send(event("Uploaded File", T0 + HOUR))
    decision = driver.wake()
    assert decision.commands == (
        LeaveStep("pause", "waited"),
        EnterStep("w", "wait_for_event"),
        UseEvent(event("Uploaded File", T0 + HOUR)),  # what comes next speaks of the upload
        LeaveStep("w", "already performed"),
        EnterStep("m", "message"),
        SendMessage("m", "sms", "A"),
        LeaveStep("m", "sent"),
        Finish("completed", "reached the end of the journey"),
    )
    assert "Uploaded File already performed at 2026-11-25 11:00 UTC: continuing" in messages(
        decision
    )


def test_wait_for_event_checks_where():
    spec = journey(
        [
            {
                "id": "w",
                "type": "wait_for_event",
                "event": "Uploaded File",
                "where": [{"property": "size", "op": "gt", "value": 0}],
            },
            END,
        ]
    )
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    empty = driver.send(event("Uploaded File", T0 + HOUR, size=0))
    real = driver.send(event("Uploaded File", T0 + 2 * HOUR, size=10))
    assert empty.commands == ()
    assert messages(empty) == [
        "nothing happened: Uploaded File did not match: property size = 0 is greater than 0: no"
    ]
    assert real.commands[0] == LeaveStep("w", "event")
    assert driver.state.state == "completed"


def test_wait_for_event_timeout_without_on_timeout_goes_on_in_list_order():
    spec = journey(
        [{"id": "w", "type": "wait_for_event", "event": "X", "timeout": "PT1H"}, {"id": "m"} | SMS]
    )
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    decision = driver.wake()
    assert decision.commands[:2] == (LeaveStep("w", "timeout"), EnterStep("m", "message"))
    assert messages(decision)[0] == "timeout: no X after PT1H: took next → m"


BRANCH = {
    "id": "paid",
    "type": "branch",
    "conditions": [{"trait": "plan", "op": "in", "value": ["pro", "team"]}],
    "then": "thanks",
}


def test_branch_then():
    spec = journey([BRANCH, {"id": "upsell"} | SMS | {"next": "end"}, {"id": "thanks"} | SMS, END])
    decision = Driver(spec, contact(plan="pro")).start(event("Signed Up"))
    assert decision.commands[:3] == (
        EnterStep("paid", "branch"),
        LeaveStep("paid", "then"),
        EnterStep("thanks", "message"),
    )
    assert messages(decision)[1] == (
        "branch paid: then → thanks (trait plan = 'pro' is in ['pro', 'team']: yes)"
    )


def test_branch_else_defaults_to_the_next_step():
    spec = journey([BRANCH, {"id": "upsell"} | SMS | {"next": "end"}, {"id": "thanks"} | SMS, END])
    decision = Driver(spec, contact(plan="free")).start(event("Signed Up"))
    assert decision.commands[:3] == (
        EnterStep("paid", "branch"),
        LeaveStep("paid", "else"),
        EnterStep("upsell", "message"),
    )


def test_branch_on_the_event_that_moved_the_enrollment():
    spec = journey(
        [
            {"id": "w", "type": "wait_for_event", "event": "Uploaded File"},
            {
                "id": "big",
                "type": "branch",
                "then": "end",
                "else": "m",
                "conditions": [{"property": "size", "op": "gte", "value": 1000}],
            },
            {"id": "m"} | SMS,
            END,
        ]
    )
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    decision = driver.send(event("Uploaded File", T0 + HOUR, size=5000))
    assert LeaveStep("big", "then") in decision.commands


def test_branch_on_an_event_performed():
    spec = journey(
        [
            {"id": "pause", "type": "delay", "duration": "P1D"},
            {
                "id": "active",
                "type": "branch",
                "then": "end",
                "else": "m",
                "conditions": [{"event": "Opened App", "op": "performed", "within": "P1D"}],
            },
            {"id": "m"} | SMS,
            END,
        ]
    )
    driver = Driver(spec)
    driver.start(event("Signed Up"))
    driver.send(event("Opened App", T0 + HOUR))
    decision = driver.wake()
    assert LeaveStep("active", "then") in decision.commands


def test_update_contact_sets_traits_seen_by_later_steps():
    spec = journey(
        [
            {"id": "tag", "type": "update_contact", "set": {"plan": "pro"}},
            BRANCH,
            {"id": "upsell"} | SMS | {"next": "end"},
            {"id": "thanks"} | SMS,
            END,
        ]
    )
    driver = Driver(spec, contact(plan="free"))
    decision = driver.start(event("Signed Up"))
    assert decision.commands[:4] == (
        EnterStep("tag", "update_contact"),
        UpdateTraits("tag", (("plan", "pro"),)),
        LeaveStep("tag", "updated"),
        EnterStep("paid", "branch"),
    )
    assert LeaveStep("paid", "then") in decision.commands
    assert driver.state.contact.traits["plan"] == "pro"


def test_notify_sends_an_internal_note():
    text = "{{ contact.first_name }} has been stuck at upload for 3 days"
    spec = journey(
        [{"id": "tell", "type": "notify", "to": "https://hooks.example.com/x", "text": text}]
    )
    decision = Driver(spec).start(event("Signed Up"))
    assert decision.commands == (
        EnterStep("tell", "notify"),
        Notify("tell", "https://hooks.example.com/x", text),
        LeaveStep("tell", "notified"),
        Finish("completed", "reached the end of the journey"),
    )


def test_split_takes_a_stable_path():
    spec = journey(
        [
            {
                "id": "ab",
                "type": "split",
                "paths": [{"percent": 90, "next": "m"}, {"percent": 10, "next": "end"}],
            },
            {"id": "m"} | SMS,
            END,
        ]
    )
    decision = Driver(spec, contact(id=42)).start(event("Signed Up"))
    assert decision.commands[:3] == (
        EnterStep("ab", "split"),
        LeaveStep("ab", "path 1"),
        EnterStep("m", "message"),
    )
    assert messages(decision)[1] == "split ab: path 1 (90 %) → m"


def test_exit_step_completes():
    decision = Driver(journey([END])).start(event("Signed Up"))
    assert decision.commands == (
        EnterStep("end", "exit"),
        LeaveStep("end", "completed"),
        Finish("completed", "reached exit step end"),
    )


def test_a_walk_that_never_waits_is_stopped():
    loop = BranchStep(
        id="spin", conditions=(Condition("trait", "x", "exists"),), then="spin", else_="spin"
    )
    spec = JourneySpec(key="bad", name="Bad", trigger=Trigger("Signed Up"), steps=(loop,))
    decision = Driver(spec).start(event("Signed Up"))
    assert len(decision.commands) == 2 * MAX_STEPS_PER_DECISION + 1
    assert decision.commands[-1] == Finish("failed", "went through 50 steps without waiting")


def test_until_step_rule_dataclass_defaults():
    spec = journey([{"id": "at", "type": "delay", "until": {"time": "07:30"}}, END])
    assert spec.steps[0].until.at == time(7, 30)
    assert spec.steps[0].until.weekdays == ()
    assert spec.steps[0].duration is None


LOOP = [
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
    END,
]


def test_the_event_that_passed_a_wait_does_not_pass_it_again():
    driver = Driver(journey(LOOP))
    driver.start(event("Signed Up"))
    decision = driver.send(event("Uploaded File", T0 + HOUR))
    assert decision.commands == (
        LeaveStep("w", "event"),
        EnterStep("thanks", "message"),
        SendMessage("thanks", "sms", "A"),
        LeaveStep("thanks", "sent"),
        EnterStep("w", "wait_for_event"),
        Wait("w", T0 + HOUR + DAY, "Uploaded File"),
    )


def test_a_loop_through_a_wait_goes_round_once_per_new_event():
    driver = Driver(journey(LOOP))
    driver.start(event("Signed Up"))
    driver.send(event("Uploaded File", T0 + HOUR))
    again = driver.send(event("Uploaded File", T0 + 2 * HOUR))
    timeout = driver.wake()
    assert [c for c in again.commands if isinstance(c, SendMessage)] == [
        SendMessage("thanks", "sms", "A")
    ]
    assert timeout.commands[0] == LeaveStep("w", "timeout")
    assert driver.state.state == "completed"
