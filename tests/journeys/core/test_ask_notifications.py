"""An ask step's quick reply may also ask the browser for notifications
(`"allow_notifications": true`): the format keeps it through a round trip, refuses
anything but true or false, and the builder's form keeps it on a button it did not
rename."""

from __future__ import annotations

from journeys.core.format import dump_journey
from journeys.core.steps.ask import STEP_TYPE
from tests.journeys.core.helpers import journey, journey_doc, problems

OFFER = {
    "id": "offer",
    "type": "ask",
    "channel": "in_app",
    "question": "Want a ping when your teammate joins?",
    "replies": [
        {"label": "Yes", "value": "yes", "allow_notifications": True},
        {"label": "Not now", "value": "no"},
    ],
}
STEPS = [OFFER, {"id": "end", "type": "exit"}]


def test_the_flag_survives_a_round_trip_and_only_where_it_was_set():
    dumped = dump_journey(journey(STEPS))

    assert dumped["steps"][0]["replies"] == OFFER["replies"]


def test_anything_but_true_or_false_is_refused_in_plain_words():
    bad = {**OFFER, "replies": [{"label": "Yes", "allow_notifications": "yes"}]}

    assert problems(journey_doc([bad, STEPS[1]])) == [
        "steps[0].replies[0].allow_notifications: Write true or false, without quotes."
    ]


def test_the_builders_form_keeps_it_on_a_button_it_did_not_rename():
    values = STEP_TYPE.form_values(OFFER) | {"replies": ["Yes", "Maybe later"]}

    step = STEP_TYPE.from_form(OFFER, values)

    assert step["replies"] == [
        {"label": "Yes", "value": "yes", "allow_notifications": True},
        {"label": "Maybe later", "value": "maybe later"},
    ]
