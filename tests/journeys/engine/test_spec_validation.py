"""Every validation problem, with its exact words."""

from __future__ import annotations

import pytest

from channels.registry import channel_facts
from journeys.core.steps import STEP_TYPES
from tests.journeys.core.helpers import journey_doc, problems, welcome_doc

OPS = "eq, ne, in, not_in, contains, exists, not_exists, gt, gte, lt, lte, performed, not_performed"
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
    (edit(lambda d: d.pop("format")), ['format: missing (expected "stepwise.journey/1")']),
    (
        edit(lambda d: d.update(format="stepwise.journey/2")),
        ['format: "stepwise.journey/2" is not supported (expected "stepwise.journey/1")'],
    ),
    (
        edit(lambda d: d.update(key="Welcome Flow")),
        [
            'key: "Welcome Flow" must be a slug: lower-case letters and digits, joined by - or _ '
            '(e.g. "welcome")'
        ],
    ),
    (edit(lambda d: d.pop("key")), ["key: missing"]),
    (edit(lambda d: d.update(name=" ")), ["name: must be a non-empty string"]),
    (
        edit(lambda d: d.update(trigerr=d.pop("trigger"))),
        ['trigerr: unknown field (did you mean "trigger"?)', "trigger: missing"],
    ),
    (
        edit(lambda d: d.update(reentry="always")),
        ['reentry: must be "never" or "after_exit", not \'always\''],
    ),
    (edit(lambda d: d.update(steps=[])), ["steps: needs at least one step"]),
    (edit(lambda d: d.update(steps={})), ["steps: must be a list"]),
    (
        edit(lambda d: d["goal"].update(within="14 days")),
        ['goal.within: "14 days" is not an ISO 8601 duration such as P2D, PT1H or PT30M'],
    ),
    (
        edit(lambda d: d["exit"].append({"name": "Churned"})),
        ["exit[1].name: unknown field", "exit[1].event: missing"],
    ),
    # Steps and references.
    (
        edit(lambda d: d["steps"][0].update(type="mesage")),
        ['steps[0].type: unknown step type "mesage" (did you mean "message"?)'],
    ),
    (
        edit(lambda d: d["steps"][0].update(type="sleep")),
        # Every registered type, in palette order (the test settings add one).
        [f'steps[0].type: unknown step type "sleep" (types: {", ".join(STEP_TYPES)})'],
    ),
    (edit(lambda d: d["steps"][0].pop("id")), ["steps[0].id: missing"]),
    (
        edit(lambda d: d["steps"][0].update(id="say hello")),
        ['steps[0].id: "say hello" may only use letters, digits, - and _'],
    ),
    (
        edit(lambda d: d["steps"][3].update(id="praise")),
        ['steps[3].id: "praise" is already the id of steps[2]'],
    ),
    (
        edit(lambda d: d["steps"][2].update(next="praize")),
        ['steps[2].next: no step has the id "praize" (did you mean "praise"?)'],
    ),
    (
        edit(lambda d: d["steps"][1].update(on_timeout="elsewhere")),
        ['steps[1].on_timeout: no step has the id "elsewhere"'],
    ),
    (
        edit(lambda d: d["steps"].append({"id": "orphan", "type": "exit"})),
        ['steps[5]: "orphan" is never reached: no step leads to it'],
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
        ["steps[0]: loop with no wait: a → b → a (put a delay or wait_for_event step in it)"],
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
        ["steps[0]: loop with no wait: a → a (put a delay or wait_for_event step in it)"],
    ),
    (
        edit(lambda d: d["steps"][0].update(chanel="sms")),
        ['steps[0].chanel: unknown field (did you mean "channel"?)'],
    ),
    # Message steps and variants.
    (
        with_step(sms() | {"channel": "mail"}),
        ['steps[0].channel: unknown channel "mail" (did you mean "email"?)'],
    ),
    (
        with_step(sms() | {"channel": "pigeon"}),
        ['steps[0].channel: unknown channel "pigeon" (channels: email, sms, in_app, webhook)'],
    ),
    (with_step(sms() | {"variants": []}), ["steps[0].variants: needs at least one variant"]),
    (with_step({"id": "m", "type": "message", "channel": "sms"}), ["steps[0].variants: missing"]),
    (
        with_step(email(subject=None) | {"variants": [{"body": "Hello"}]}),
        ["steps[0].variants[0].subject: missing (email messages need a subject)"],
    ),
    (with_step(sms(subject="Hi")), ["steps[0].variants[0].subject: sms messages have no subject"]),
    (with_step(sms(body=3)), ["steps[0].variants[0].body: must be a string"]),
    (
        with_step(sms(subjet="Hi")),
        ['steps[0].variants[0].subjet: unknown field (did you mean "subject"?)'],
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
        ["steps[0].variants[0].url: must be an https:// URL"],
    ),
    (with_step(sms(weight=-1)), ["steps[0].variants[0].weight: must be a whole number, 0 or more"]),
    (with_step(sms(weight=0)), ["steps[0].variants: all weights are 0: no variant can be sent"]),
    (
        with_step(sms() | {"variants": [{"name": "A", "body": "x"}, {"name": "A", "body": "y"}]}),
        ['steps[0].variants[1].name: "A" is used twice'],
    ),
    # Delay and wait steps.
    (
        with_step({"id": "d", "type": "delay"}),
        ['steps[0]: needs either "duration" (e.g. P1D) or "until" (a time of day)'],
    ),
    (
        with_step({"id": "d", "type": "delay", "duration": "P1D", "until": {"time": "09:00"}}),
        ['steps[0]: needs either "duration" (e.g. P1D) or "until" (a time of day)'],
    ),
    (
        with_step({"id": "d", "type": "delay", "duration": "P1M"}),
        ['steps[0].duration: "P1M": years and months have no fixed length; use days (P30D)'],
    ),
    (
        with_step({"id": "d", "type": "delay", "until": {"time": "9am"}}),
        ['steps[0].until.time: "9am" is not a time of day such as 09:00 (24-hour HH:MM)'],
    ),
    (
        with_step({"id": "d", "type": "delay", "until": {"time": "09:00", "weekdays": ["monday"]}}),
        [
            'steps[0].until.weekdays: "monday" is not a weekday '
            "(use mon, tue, wed, thu, fri, sat, sun)"
        ],
    ),
    (
        with_step({"id": "w", "type": "wait_for_event", "event": "X", "on_timeout": "end"}),
        ['steps[0].on_timeout: needs a "timeout"'],
    ),
    (with_step({"id": "w", "type": "wait_for_event"}), ["steps[0].event: missing"]),
    # Branch, split, notify, update_contact, exit.
    (
        with_step({"id": "b", "type": "branch", "conditions": []}),
        ["steps[0].conditions: needs at least one condition"],
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
        ['steps[0].next: a branch goes on through "then" and "else", not "next"'],
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
        ['steps[0].match: must be "all" or "any"'],
    ),
    (
        with_step(
            {
                "id": "s",
                "type": "split",
                "paths": [{"percent": 90, "next": "end"}, {"percent": 5, "next": "end"}],
            }
        ),
        ["steps[0].paths: percents add up to 95, not 100"],
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
            "steps[0].paths[0].percent: must be a whole number from 1 to 99",
            "steps[0].paths[1].percent: must be a whole number from 1 to 99",
        ],
    ),
    (
        with_step({"id": "s", "type": "split", "paths": [{"percent": 100, "next": "end"}]}),
        ["steps[0].paths: needs at least two paths"],
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
        ['steps[0].next: a split goes on through its paths, not "next"'],
    ),
    (
        with_step({"id": "n", "type": "notify", "to": "the team", "text": "Ada is stuck"}),
        ["steps[0].to: must be an email address or an https:// webhook URL"],
    ),
    (with_step({"id": "n", "type": "notify", "to": "cs@example.com"}), ["steps[0].text: missing"]),
    (
        with_step({"id": "u", "type": "update_contact", "set": {}}),
        ["steps[0].set: needs at least one trait"],
    ),
    (
        with_step({"id": "u", "type": "update_contact", "set": []}),
        ["steps[0].set: must be an object"],
    ),
    (
        journey_doc([{"id": "end", "type": "exit", "next": "end"}]),
        ['steps[0].next: an exit step ends the journey: it has no "next"'],
    ),
    # Conditions.
    (
        edit(lambda d: d["trigger"]["where"][0].update(op="equals")),
        [f'trigger.where[0].op: unknown op "equals" (ops: {OPS})'],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(op="not_n")),
        ['trigger.where[0].op: unknown op "not_n" (did you mean "not_in"?)'],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(value="free")),
        ['trigger.where[0].value: "in" needs a non-empty list of strings or numbers'],
    ),
    (
        edit(lambda d: d["trigger"]["where"][0].update(property=None, trait="plan")),
        ['trigger.where[0]: needs exactly one of "property", "trait" or "event"'],
    ),
    (
        edit(
            lambda d: d["trigger"]["where"][0].update(
                trait=d["trigger"]["where"][0].pop("property")
            )
        ),
        ["trigger.where[0].trait: trait conditions are not allowed here (only property)"],
    ),
    (cond(trait="email", op="exists", value=True), ['audience[0].value: "exists" takes no value']),
    (
        cond(trait="plan", op="eq"),
        ['audience[0].value: "eq" needs a value: a string, a number, true or false'],
    ),
    (
        cond(trait="seats", op="gt", value=True),
        ['audience[0].value: "gt" needs a number or a string'],
    ),
    (
        cond(trait="plan", op="performed"),
        ['audience[0].op: "performed" only applies to event conditions'],
    ),
    (
        cond(event="Uploaded File", op="eq", value=1),
        ['audience[0].op: event conditions take performed or not_performed, not "eq"'],
    ),
    (
        cond(trait="plan", op="exists", within="P1D"),
        ["audience[0].within: only applies to event conditions"],
    ),
    (
        cond(event="Uploaded File", op="performed", within="soon"),
        ['audience[0].within: "soon" is not an ISO 8601 duration such as P2D, PT1H or PT30M'],
    ),
    (
        cond(event="Uploaded File", op="performed", where=[{"trait": "x", "op": "exists"}]),
        ["audience[0].where[0].trait: trait conditions are not allowed here (only property)"],
    ),
    (cond(trait="", op="exists"), ["audience[0].trait: must be a non-empty string"]),
    (journey_doc([EXIT], audience=["email"]), ["audience[0]: must be an object"]),
]


@pytest.mark.parametrize(("doc", "expected"), CASES)
def test_problem(doc, expected):
    assert problems(doc, channels=channel_facts()) == expected


def test_a_journey_must_be_an_object():
    assert problems(["steps"]) == ["journey: must be an object"]


def test_every_problem_is_reported_at_once():
    doc = welcome_doc()
    doc["format"] = "v1"
    doc["steps"][0]["channel"] = "fax"
    doc["steps"][1]["timeout"] = "2d"
    assert problems(doc, channels=channel_facts()) == [
        'format: "v1" is not supported (expected "stepwise.journey/1")',
        'steps[0].channel: unknown channel "fax" (channels: email, sms, in_app, webhook)',
        'steps[1].timeout: "2d" is not an ISO 8601 duration such as P2D, PT1H or PT30M',
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
