from __future__ import annotations

from datetime import time, timedelta

from journeys.core.conditions import Condition
from journeys.core.format import dump_journey, parse_journey
from journeys.core.problems import Problem
from journeys.core.spec import ExitRule, Goal, Trigger, Variant
from journeys.core.steps.branch import BranchStep
from journeys.core.steps.delay import DelayStep, Until
from journeys.core.steps.exit import ExitStep
from journeys.core.steps.message import MessageStep
from journeys.core.steps.notify import NotifyStep
from journeys.core.steps.split import SplitPath, SplitStep
from journeys.core.steps.update_contact import UpdateContactStep
from journeys.core.steps.wait_for_event import WaitForEventStep
from tests.journeys.core.helpers import journey, journey_doc, problems, welcome_doc

EXIT = {"id": "end", "type": "exit"}
HELLO = (
    "Welcome to the product! Your first step takes a minute: upload a file, so everything "
    "your work needs sits in one place."
)


def test_the_issue_example_parses(welcome):
    assert welcome.key == "welcome"
    assert welcome.name == "Welcome"
    assert welcome.trigger == Trigger(
        "Signed Up", (Condition("property", "plan", "in", ("free", "trial")),)
    )
    assert welcome.audience == (Condition("trait", "email", "exists"),)
    assert welcome.goal == Goal("Invited Teammate", (), timedelta(days=14))
    assert welcome.exits == (ExitRule("Account Deleted"),)
    assert welcome.reentry == "never"
    assert [step.id for step in welcome.steps] == ["hello", "wait_upload", "praise", "nudge", "end"]


def test_the_issue_example_steps(welcome):
    hello, wait, praise, nudge, end = welcome.steps
    subject = "Hi {{ contact.first_name | default: 'there' }}"
    assert hello == MessageStep(
        id="hello", channel="email", variants=(Variant("A", 1, subject=subject, body=HELLO),)
    )
    assert wait == WaitForEventStep(
        id="wait_upload", event="Uploaded File", timeout=timedelta(days=2), on_timeout="nudge"
    )
    body = "Nice: {{ event.properties.filename }}"
    assert praise == MessageStep(
        id="praise", next="end", channel="in_app", variants=(Variant("A", body=body),)
    )
    assert nudge.next == "end"
    assert end == ExitStep(id="end")


def test_the_issue_example_round_trips(welcome):
    assert parse_journey(dump_journey(welcome)) == welcome


def test_dump_is_canonical(welcome):
    dumped = dump_journey(welcome)
    assert dumped["steps"][2] == {
        "id": "praise",
        "type": "message",
        "channel": "in_app",
        "variants": [{"name": "A", "weight": 1, "body": "Nice: {{ event.properties.filename }}"}],
        "next": "end",
    }
    assert dumped["goal"] == {"event": "Invited Teammate", "within": "P14D"}
    assert dump_journey(parse_journey(dumped)) == dumped


def test_following_uses_next_then_list_order(welcome):
    assert welcome.following("hello") == "wait_upload"
    assert welcome.following("praise") == "end"
    assert welcome.following("end") is None


def test_every_step_type_parses_and_round_trips():
    spec = journey(
        [
            {"id": "tag", "type": "update_contact", "set": {"onboarding": "started", "score": 1}},
            {
                "id": "ab",
                "type": "split",
                "paths": [{"percent": 90, "next": "sleep"}, {"percent": 10, "next": "end"}],
            },
            {
                "id": "sleep",
                "type": "delay",
                "until": {"time": "09:00", "weekdays": ["mon", "fri"]},
            },
            {"id": "short", "type": "delay", "duration": "PT1H"},
            {
                "id": "paid",
                "type": "branch",
                "match": "any",
                "conditions": [
                    {"trait": "plan", "op": "eq", "value": "pro"},
                    {
                        "event": "Upgraded",
                        "op": "performed",
                        "within": "P7D",
                        "where": [{"property": "seats", "op": "gte", "value": 2}],
                    },
                ],
                "then": "end",
                "else": "tell",
            },
            {
                "id": "tell",
                "type": "notify",
                "to": "cs@example.com",
                "text": "{{ contact.first_name }} has been stuck at upload for 3 days",
            },
            {
                "id": "hook",
                "type": "message",
                "channel": "webhook",
                "variants": [{"name": "only", "url": "https://example.com/hook", "body": "{}"}],
            },
            {
                "id": "wait",
                "type": "wait_for_event",
                "event": "Uploaded File",
                "where": [{"property": "size", "op": "gt", "value": 0}],
                "timeout": "P1D",
            },
            EXIT,
        ],
        reentry="after_exit",
        description="All step types.",
    )
    tag, ab, sleep, short, paid, tell, hook, wait, end = spec.steps
    assert tag == UpdateContactStep(id="tag", set=(("onboarding", "started"), ("score", 1)))
    assert ab == SplitStep(id="ab", paths=(SplitPath(90, "sleep"), SplitPath(10, "end")))
    assert sleep == DelayStep(id="sleep", until=Until(time(9, 0), ("mon", "fri")))
    assert short == DelayStep(id="short", duration=timedelta(hours=1))
    upgraded = Condition(
        "event",
        "Upgraded",
        "performed",
        None,
        (Condition("property", "seats", "gte", 2),),
        timedelta(days=7),
    )
    assert paid == BranchStep(
        id="paid",
        conditions=(Condition("trait", "plan", "eq", "pro"), upgraded),
        match="any",
        then="end",
        else_="tell",
    )
    assert tell == NotifyStep(
        id="tell",
        to="cs@example.com",
        text="{{ contact.first_name }} has been stuck at upload for 3 days",
    )
    assert hook.variants == (Variant("only", url="https://example.com/hook", body="{}"),)
    assert wait.timeout == timedelta(days=1)
    assert wait.on_timeout is None
    assert end == ExitStep(id="end")
    assert spec.reentry == "after_exit"
    assert parse_journey(dump_journey(spec)) == spec


def test_variants_get_default_names_and_weights():
    spec = journey(
        [
            {
                "id": "m",
                "type": "message",
                "channel": "sms",
                "variants": [{"body": "one"}, {"body": "two", "weight": 3}],
            }
        ]
    )
    assert spec.steps[0].variants == (Variant("A", 1, body="one"), Variant("B", 3, body="two"))


def test_template_checker_problems_get_the_variant_path():
    seen = []

    def checker(channel, content):
        seen.append((channel, dict(content)))
        return [Problem("body", "line 1: unknown filter 'shout'")] if channel == "sms" else []

    doc = welcome_doc()
    errors = problems(doc, template_checker=checker)
    assert errors == ["steps[3].variants[0].body: line 1: unknown filter 'shout'"]
    assert seen[0] == (
        "email",
        {"subject": "Hi {{ contact.first_name | default: 'there' }}", "body": HELLO},
    )
    assert len(seen) == 3


def test_journey_doc_helper_parses_a_minimal_journey():
    assert problems(journey_doc([EXIT])) == []
