from __future__ import annotations

from journeys.core.engine import ContactView, PriorEnrollment, decide_entry
from journeys.core.format import parse_journey
from tests.journeys.core.helpers import DAY, T0, contact, event, journey_doc, welcome_doc

SIGNED_UP = event("Signed Up", T0, plan="free")


def entry(spec, *, who=None, happened=SIGNED_UP, history=(), prior=()):
    return decide_entry(
        spec=spec,
        contact=who or contact(),
        event=happened,
        history=[*history, happened],
        active_or_past=list(prior),
        now=T0,
    )


def test_trigger_with_matching_where_and_audience_enrolls(welcome):
    decision = entry(welcome)
    assert decision.enroll is True
    assert [(line.code, line.message) for line in decision.trace] == [
        (
            "trigger",
            "Signed Up matched the trigger (property plan = 'free' is in ['free', 'trial']: yes)",
        ),
        ("audience", "in the audience: trait email = 'ada@example.com' is set: yes"),
        (
            "entered",
            "entered: Signed Up matched the trigger "
            "(property plan = 'free' is in ['free', 'trial']: yes)",
        ),
    ]


def test_another_event_does_not_enroll(welcome):
    decision = entry(welcome, happened=event("Logged In"))
    assert decision.enroll is False
    assert [line.message for line in decision.trace] == [
        "not enrolled: Logged In is not the trigger (Signed Up)"
    ]


def test_trigger_where_must_match(welcome):
    decision = entry(welcome, happened=event("Signed Up", plan="pro"))
    assert decision.enroll is False
    assert [line.message for line in decision.trace] == [
        "not enrolled: Signed Up did not match the trigger: "
        "property plan = 'pro' is in ['free', 'trial']: no"
    ]


def test_contact_outside_the_audience_is_not_enrolled(welcome):
    decision = entry(welcome, who=ContactView(id=1, traits={"first_name": "Ada"}))
    assert decision.enroll is False
    assert decision.trace[-1].message == (
        "not enrolled: not in the audience: trait email = (not set) is set: no"
    )
    assert decision.trace[-1].code == "not_in_audience"


def test_never_two_enrollments_at_once(welcome):
    ongoing = PriorEnrollment("waiting", T0 - DAY)
    decision = entry(welcome, prior=[ongoing])
    assert decision.enroll is False
    assert decision.trace[-1].message == (
        "not enrolled: already in this journey since 2026-11-24 10:00 UTC"
    )


def test_reentry_never_refuses_a_second_trip(welcome):
    done = PriorEnrollment("completed", T0 - 5 * DAY, T0 - 3 * DAY)
    decision = entry(welcome, prior=[done])
    assert decision.enroll is False
    assert decision.trace[-1].code == "reentry_never"
    assert decision.trace[-1].message == (
        "not enrolled: entered before (2026-11-20 10:00 UTC) and re-entry is never"
    )


def test_reentry_after_exit_allows_a_second_trip_once_the_first_ended():
    doc = welcome_doc() | {"reentry": "after_exit"}
    spec = parse_journey(doc)
    done = PriorEnrollment("exited", T0 - 5 * DAY, T0 - 3 * DAY)
    assert entry(spec, prior=[done]).enroll is True


def test_reentry_after_exit_still_refuses_two_at_once():
    spec = parse_journey(welcome_doc() | {"reentry": "after_exit"})
    ongoing = PriorEnrollment("active", T0 - DAY)
    decision = entry(spec, prior=[PriorEnrollment("exited", T0 - 9 * DAY, T0 - 8 * DAY), ongoing])
    assert decision.enroll is False
    assert decision.trace[-1].code == "already_enrolled"


def test_contact_who_already_met_the_goal_is_not_enrolled(welcome):
    invited = event("Invited Teammate", T0 - DAY)
    decision = entry(welcome, history=[invited])
    assert decision.enroll is False
    assert decision.trace[-1].code == "goal_already_met"
    assert decision.trace[-1].message == (
        "not enrolled: already performed goal Invited Teammate at 2026-11-24 10:00 UTC"
    )


def test_audience_can_ask_about_past_events():
    spec = parse_journey(
        journey_doc(
            [{"id": "end", "type": "exit"}],
            audience=[{"event": "Uploaded File", "op": "not_performed"}],
        )
    )
    uploaded = event("Uploaded File", T0 - DAY)
    assert entry(spec, happened=event("Signed Up")).enroll is True
    assert entry(spec, happened=event("Signed Up"), history=[uploaded]).enroll is False
