"""Every step type reads in one line of plain words (the builder's cards use them)."""

from __future__ import annotations

import pytest

from channels.registry import channel_facts
from journeys.core.format import parse_journey
from journeys.core.steps import type_of
from tests.journeys.core.helpers import journey, welcome_doc

EXIT = {"id": "end", "type": "exit"}


def summaries(steps):
    spec = journey(steps)
    return [type_of(step).summary(step, spec, channel_facts()) for step in spec.steps]


def test_the_example_journey_reads_in_plain_words():
    spec = parse_journey(welcome_doc())

    assert [type_of(step).summary(step, spec, channel_facts()) for step in spec.steps] == [
        "Send an email: “Hi {{ contact.first_name | default: 'there' }}”",
        "Wait up to 2 days for Uploaded File, else go to Nudge",
        "Send an in-app message: “Nice: {{ event.properties.filename }}”, then go to End",
        "Send a text message: “Need a hand?”, then go to End",
        "End the journey",
    ]


@pytest.mark.parametrize(
    ("step", "words"),
    [
        ({"type": "delay", "duration": "P1DT3H"}, "Wait 1 day 3 hours"),
        ({"type": "delay", "duration": "P1W"}, "Wait 1 week"),
        (
            {"type": "delay", "until": {"time": "09:00", "weekdays": ["mon", "fri"]}},
            "Wait until 09:00 on Mon, Fri, in the contact's time zone",
        ),
        (
            {"type": "wait_for_event", "event": "Uploaded File"},
            "Wait for Uploaded File, with no time limit",
        ),
        (
            {
                "type": "wait_for_event",
                "event": "Uploaded File",
                "where": [{"property": "size", "op": "gt", "value": 3}],
                "timeout": "PT30M",
            },
            "Wait up to 30 minutes for Uploaded File where property size is greater than 3, "
            "else go to End",
        ),
        (
            {
                "type": "branch",
                "conditions": [
                    {"trait": "plan", "op": "eq", "value": "pro"},
                    {"event": "Invited Teammate", "op": "performed"},
                ],
                "match": "any",
                "then": "end",
            },
            "If trait plan is 'pro' or Invited Teammate was performed, go to End, else go to End",
        ),
        (
            {
                "type": "split",
                "paths": [{"percent": 90, "next": "end"}, {"percent": 10, "next": "e"}],
            },
            "Split: 90 % go to End, 10 % go to E",
        ),
        (
            {"type": "update_contact", "set": {"plan": "pro", "seats": 3}},
            'Set plan to "pro", seats to 3',
        ),
        (
            {"type": "notify", "to": "team@example.com", "text": "Ada is stuck"},
            "Tell team@example.com: “Ada is stuck”",
        ),
        (
            {
                "type": "message",
                "channel": "webhook",
                "variants": [
                    {"name": "A", "url": "https://example.com/a", "body": "{}"},
                    {"name": "B", "url": "https://example.com/b", "body": "{}"},
                ],
            },
            "Send a webhook (2 variants): “{}”",
        ),
    ],
)
def test_each_step_type_summarises_itself(step, words):
    ending = [EXIT, {"id": "e", "type": "exit"}] if step["type"] == "split" else [EXIT]
    assert summaries([{"id": "s"} | step, *ending])[0] == words
