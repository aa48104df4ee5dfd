"""Every validation problem, with its exact words."""

from __future__ import annotations

import pytest

from channels.registry import channel_facts
from journeys.core.steps import STEP_TYPES
from tests.journeys.core.helpers import journey_doc, problems, welcome_doc

OPS = (
    "eq (is), ne (is not), in (is in), not_in (is not in), contains (contains), exists (is set), "
    "not_exists (is not set), gt (is greater than), gte (is at least), lt (is less than), "
    "lte (is at most), performed (was performed), not_performed (was not performed)"
)
EXIT = {"id": "end", "type": "exit"}


def with_step(step, *more):
    return journey_doc([step, *more, EXIT])


def sms(**fields):
    return {"id": "m", "type": "message", "channel": "sms", "variants": [{"body": "hi"} | fields]}


def email(**fields):
    variant = {"subject": "Hi", "body": "Hello"} | fields
    return {"id": "m", "type": "message", "channel": "email", "variants": [variant]}


def cond(**fields):
    return journey_doc([EXIT], audience=[fields])


def edit(change):
    doc = welcome_doc()
    change(doc)
    return doc


CASES = [
    (
        edit(lambda d: d.pop("format")),
        ["format: Add the format line: “format”: “stepwise.journey/1”."],
    ),
    (
        edit(lambda d: d.update(format="stepwise.journey/2")),
        [
            "format: Stepwise cannot read “stepwise.journey/2” files: write "
            "“stepwise.journey/1” here."
        ],
    ),
    (
        edit(lambda d: d.update(key="Welcome Flow")),
        [
            "key: “Welcome Flow” cannot be a short name: use lower-case letters and digits, "
            "joined by - or _ (like “trial-ending”)."
        ],
    ),
    (edit(lambda d: d.pop("key")), ["key: Fill this in."]),
    (edit(lambda d: d.update(name=" ")), ["name: Write some text here: it cannot be left blank."]),
    (
        edit(lambda d: d.update(trigerr=d.pop("trigger"))),
        [
            "trigerr: There is no such setting here. Did you mean “trigger”?",
            "trigger: Choose the event that lets people in.",
        ],
    ),
    (
        edit(lambda d: d.update(reentry="always")),
        [
            "reentry: Write “never” or “after_exit” (people may come back after they leave), "
            "not “always”."
        ],
    ),
    (edit(lambda d: d.update(steps=[])), ["steps: Add at least one step."]),
    (
        edit(lambda d: d.update(steps={})),
        ["steps: Write these between [ and ], separated by commas."],
    ),
    (
        edit(lambda d: d["goal"].update(within="14 days")),
        [
            "goal.within: “14 days” is not a length of time: write one such as P2D (2 days), "
            "PT1H (1 hour) or PT30M (30 minutes)."
        ],
    ),
    (
        edit(lambda d: d["exit"].append({"name": "Churned"})),
        ["exit[1].name: There is no such setting here. Remove it.", "exit[1].event: Fill this in."],
    ),
    # Steps and references.
    (
        edit(lambda d: d["steps"][0].update(type="mesage")),
        ["steps[0].type: There is no kind of step called “mesage”. Did you mean “message”?"],
    ),
    (
        edit(lambda d: d["steps"][0].update(type="sleep")),
        # Every registered type, in palette order (the test settings add one).
        [
            "steps[0].type: There is no kind of step called “sleep”. "
            f"Use one of: {', '.join(STEP_TYPES)}."
        ],
    ),
    (edit(lambda d: d["steps"][0].pop("id")), ["steps[0].id: Fill this in."]),
    (
        edit(lambda d: d["steps"][0].update(id="say hello")),
        [
            "steps[0].id: “say hello” cannot name a step: use only letters, digits, - and _ "
            "(like “say_hello”)."
        ],
    ),
    (
        edit(lambda d: d["steps"][3].update(id="praise")),
        ["steps[3].id: Step 3 is already called “praise”: give this one another name."],
    ),
    (
        edit(lambda d: d["steps"][2].update(next="praize")),
        ["steps[2].next: There is no step called “praize”. Did you mean “praise”?"],
    ),
    (
        edit(lambda d: d["steps"][1].update(on_timeout="elsewhere")),
        ["steps[1].on_timeout: There is no step called “elsewhere”. Choose one of the steps."],
    ),
    (
        edit(lambda d: d["steps"].append({"id": "orphan", "type": "exit"})),
        ["steps[5]: “orphan” is never reached: no step leads to it. Connect it or delete it."],
    ),
    (
        journey_doc(
            [
                {"id": "a", "type": "update_contact", "set": {"x": 1}},
                {
                    "id": "b",
                    "type": "message",
                    "channel": "sms",
                    "variants": [{"body": "hi"}],
                    "next": "a",
                },
            ]
        ),
        [
            "steps[0]: These steps go round in a loop with no wait: a → b → a. Put a delay or a "
            "wait for an event in it."
        ],
    ),
    (
        journey_doc(
            [
                {
                    "id": "a",
                    "type": "branch",
                    "conditions": [{"trait": "x", "op": "exists"}],
                    "then": "a",
                    "else": "end",
                },
                EXIT,
            ]
        ),
        [
            "steps[0]: These steps go round in a loop with no wait: a → a. Put a delay or a "
            "wait for an event in it."
        ],
    ),
    (
        edit(lambda d: d["steps"][0].update(chanel="sms")),
        ["steps[0].chanel: There is no such setting here. Did you mean “channel”?"],
    ),
    # Message steps and variants.
    (
        with_step(sms() | {"channel": "mail"}),
        ["steps[0].channel: There is no channel called “mail”. Did you mean “email”?"],
    ),
    (
        with_step(sms() | {"channel": "pigeon"}),
        [
            "steps[0].channel: There is no channel called “pigeon”. Use one of: email, sms, "
            "in_app, webhook, push."
        ],
    ),
    (with_step(sms() | {"variants": []}), ["steps[0].variants: Add at least one variant."]),
    (
        with_step({"id": "m", "type": "message", "channel": "sms"}),
        ["steps[0].variants: Add at least one variant."],
    ),
    (
        with_step(email(subject=None) | {"variants": [{"body": "Hello"}]}),
        ["steps[0].variants[0].subject: Email messages need “Subject”: fill it in."],
    ),
    (
        with_step(sms(subject="Hi")),
        ["steps[0].variants[0].subject: SMS messages have no “Subject”: remove it."],
    ),
    (with_step(sms(body=3)), ["steps[0].variants[0].body: Write this as text, between quotes."]),
    (
        with_step(sms(subjet="Hi")),
        ["steps[0].variants[0].subjet: There is no such setting here. Did you mean “subject”?"],
    ),
    (
        with_step(
            {
                "id": "m",
                "type": "message",
                "channel": "webhook",
                "variants": [{"url": "http://example.com", "body": "{}"}],
            }
        ),
        ["steps[0].variants[0].url: Use an address that starts with https://."],
    ),
    (
        with_step(sms(weight=-1)),
        [
            "steps[0].variants[0].weight: Write a whole number, 0 or more (its share of the A/B "
            "test)."
        ],
    ),
    (
        with_step(sms(weight=0)),
        [
            "steps[0].variants: Every variant's weight is 0, so none can be sent: give one a "
            "weight above 0."
        ],
    ),
    (
        with_step(sms() | {"variants": [{"name": "A", "body": "x"}, {"name": "A", "body": "y"}]}),
        [
            "steps[0].variants[1].name: Another variant is already called “A”: give this one "
            "another name."
        ],
    ),
    # Delay and wait steps.
    (
        with_step({"id": "d", "type": "delay"}),
        [
            "steps[0]: Give either how long to wait (“duration”, like P1D) or a time of day to "
            "wait until (“until”), not both."
        ],
    ),
    (
        with_step({"id": "d", "type": "delay", "duration": "P1D", "until": {"time": "09:00"}}),
        [
            "steps[0]: Give either how long to wait (“duration”, like P1D) or a time of day to "
            "wait until (“until”), not both."
        ],
    ),
    (
        with_step({"id": "d", "type": "delay", "duration": "P1M"}),
        [
            "steps[0].duration: “P1M” counts months or years, which have no fixed length: write "
            "it in days, such as P30D (30 days)."
        ],
    ),
    (
        with_step({"id": "d", "type": "delay", "until": {"time": "9am"}}),
        [
            "steps[0].until.time: “9am” is not a time of day: write it on the 24-hour clock, "
            "like 09:00 or 17:30."
        ],
    ),
    (
        with_step({"id": "d", "type": "delay", "until": {"time": "09:00", "weekdays": ["monday"]}}),
        [
            "steps[0].until.weekdays: “monday” is not a weekday: use mon, tue, wed, thu, fri, "
            "sat or sun."
        ],
    ),
    (
        with_step({"id": "w", "type": "wait_for_event", "event": "X", "on_timeout": "end"}),
        [
            "steps[0].on_timeout: A path for people who don't do it in time needs a time limit: "
            "set one, or remove the path."
        ],
    ),
    (with_step({"id": "w", "type": "wait_for_event"}), ["steps[0].event: Fill this in."]),
    # Branch, split, notify, update_contact, exit.
    (
        with_step({"id": "b", "type": "branch", "conditions": []}),
        ["steps[0].conditions: Add at least one condition."],
    ),
    (
        with_step(
            {
                "id": "b",
                "type": "branch",
                "conditions": [{"trait": "x", "op": "exists"}],
                "next": "end",
            }
        ),
        ["steps[0].next: A branch goes on through its “yes” and “no” paths: remove “next”."],
    ),
    (
        with_step(
            {
                "id": "b",
                "type": "branch",
                "match": "most",
                "conditions": [{"trait": "x", "op": "exists"}],
            }
        ),
        ["steps[0].match: Write “all” (every condition holds) or “any” (one is enough)."],
    ),
    (
        with_step(
            {
                "id": "s",
                "type": "split",
                "paths": [{"percent": 90, "next": "end"}, {"percent": 5, "next": "end"}],
            }
        ),
        ["steps[0].paths: The paths add up to 95 %: make them add up to 100."],
    ),
    (
        with_step(
            {
                "id": "s",
                "type": "split",
                "paths": [{"percent": 100, "next": "end"}, {"percent": 0, "next": "end"}],
            }
        ),
        [
            "steps[0].paths[0].percent: Write a whole number from 1 to 99.",
            "steps[0].paths[1].percent: Write a whole number from 1 to 99.",
        ],
    ),
    (
        with_step({"id": "s", "type": "split", "paths": [{"percent": 100, "next": "end"}]}),
        ["steps[0].paths: Add at least two paths."],
    ),
    (
        with_step(
            {
                "id": "s",
                "type": "split",
                "next": "end",
                "paths": [{"percent": 50, "next": "end"}, {"percent": 50, "next": "end"}],
            }
        ),
        ["steps[0].next: A split goes on through its paths: remove “next”."],
    ),
    (
        with_step({"id": "n", "type": "notify", "to": "the team", "text": "Ada is stuck"}),
        ["steps[0].to: Write an email address, or a chat webhook's address (https://…)."],
    ),
    (
        with_step({"id": "n", "type": "notify", "to": "cs@example.com"}),
        ["steps[0].text: Fill this in."],
    ),
    (
        with_step({"id": "u", "type": "update_contact", "set": {}}),
        ["steps[0].set: Add at least one trait to set."],
    ),
    (
        with_step({"id": "u", "type": "update_contact", "set": []}),
        ["steps[0].set: Write this as named settings between { and }."],
    ),
    (
        journey_doc([{"id": "end", "type": "exit", "next": "end"}]),
        ["steps[0].next: An exit step ends the journey: remove “next”."],
    ),
    # Conditions.
    (
        edit(lambda d: d["trigger"]["where"][0].update(op="equals")),
        [f"trigger.where[0].op: There is no comparison called “equals”. Use one of: {OPS}."],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(op="not_n")),
        ["trigger.where[0].op: There is no comparison called “not_n”. Did you mean “not_in”?"],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(value="free")),
        [
            "trigger.where[0].value: “in” (is in) needs one or more texts or numbers between "
            '[ and ], like ["free", "trial"].'
        ],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(property=None, trait="plan")),
        [
            "trigger.where[0]: Test exactly one thing: a “trait” of the contact, a “property” "
            "of the event, or an “event” they did."
        ],
    ),
    (
        edit(
            lambda d: d["trigger"]["where"][0].update(
                trait=d["trigger"]["where"][0].pop("property")
            )
        ),
        [
            "trigger.where[0].trait: Only a property of the event can be tested here, not a "
            "trait of the contact."
        ],
    ),
    (
        cond(trait="email", op="exists", value=True),
        ["audience[0].value: “exists” (is set) compares with nothing: remove the value."],
    ),
    (
        cond(trait="plan", op="eq"),
        [
            "audience[0].value: “eq” (is) needs a value to compare with: a text, a number, true "
            "or false."
        ],
    ),
    (
        cond(trait="seats", op="gt", value=True),
        ["audience[0].value: “gt” (is greater than) needs a number or a text to compare with."],
    ),
    (
        cond(trait="plan", op="performed"),
        [
            "audience[0].op: “performed” is only for something the contact did: compare this "
            "with another, such as “eq” (is)."
        ],
    ),
    (
        cond(event="Uploaded File", op="eq", value=1),
        [
            "audience[0].op: Something the contact did is compared with “performed” or "
            "“not_performed”, not “eq”."
        ],
    ),
    (
        cond(trait="plan", op="exists", within="P1D"),
        [
            "audience[0].within: Only a test of something the contact did has a time window: "
            "remove it."
        ],
    ),
    (
        cond(event="Uploaded File", op="performed", within="soon"),
        [
            "audience[0].within: “soon” is not a length of time: write one such as P2D (2 "
            "days), PT1H (1 hour) or PT30M (30 minutes)."
        ],
    ),
    (
        cond(event="Uploaded File", op="performed", where=[{"trait": "x", "op": "exists"}]),
        [
            "audience[0].where[0].trait: Only a property of the event can be tested here, not a "
            "trait of the contact."
        ],
    ),
    (
        cond(trait="", op="exists"),
        ["audience[0].trait: Write some text here: it cannot be left blank."],
    ),
    (
        journey_doc([EXIT], audience=["email"]),
        ["audience[0]: Write this as named settings between { and }."],
    ),
]


@pytest.mark.parametrize(("doc", "expected"), CASES)
def test_problem(doc, expected):
    assert problems(doc, channels=channel_facts()) == expected


def test_a_journey_must_be_an_object():
    assert problems(["steps"]) == ["journey: Write this as named settings between { and }."]


def test_every_problem_is_reported_at_once():
    doc = welcome_doc()
    doc["format"] = "v1"
    doc["steps"][0]["channel"] = "fax"
    doc["steps"][1]["timeout"] = "2d"
    assert problems(doc, channels=channel_facts()) == [
        "format: Stepwise cannot read “v1” files: write “stepwise.journey/1” here.",
        "steps[0].channel: There is no channel called “fax”. "
        "Use one of: email, sms, in_app, webhook, push.",
        "steps[1].timeout: “2d” is not a length of time: write one such as P2D (2 days), "
        "PT1H (1 hour) or PT30M (30 minutes).",
    ]


def test_a_loop_through_a_wait_is_allowed():
    doc = journey_doc(
        [
            {"id": "nag", "type": "message", "channel": "sms", "variants": [{"body": "Upload?"}]},
            {
                "id": "wait",
                "type": "wait_for_event",
                "event": "Uploaded File",
                "timeout": "P1D",
                "on_timeout": "nag",
            },
            EXIT,
        ]
    )
    assert problems(doc, channels=channel_facts()) == []
