"""Differences between two journey documents, in words."""

from __future__ import annotations

import copy
import json
from pathlib import Path

from journeys.builder.diff import change_texts, document_changes, summarize

WELCOME = json.loads(
    (Path(__file__).resolve().parents[3] / "examples" / "welcome.json").read_text()
)
LABELS = {"message": "Send a message", "exit": "End the journey", "delay": "Wait a while"}


def changes(old, new):
    return change_texts(document_changes(old, new, type_label=LABELS.get))


def test_a_new_journey_lists_every_setting_and_step_it_adds():
    texts = changes(None, WELCOME)

    assert texts[:3] == [
        "Changed the name from nothing to “Welcome”",
        "Set the trigger: “Signed Up” where plan is “free” or “trial”",
        "Changed who may enter (was: everyone; now: email is set)",
    ]
    assert "Set the goal: “Invited Teammate” within 2 weeks" in texts
    assert "Added step “Hello” (Send a message)" in texts
    assert "Added step “End” (End the journey)" in texts


def test_identical_documents_have_no_changes():
    assert changes(WELCOME, copy.deepcopy(WELCOME)) == []
    assert summarize(document_changes(WELCOME, WELCOME)) == "No change"


def test_variant_fields_timeouts_and_paths_are_described_from_and_to():
    new = copy.deepcopy(WELCOME)
    new["steps"][0]["variants"][0]["subject"] = "Welcome aboard, {{ contact.first_name }}"
    new["steps"][0]["variants"].append({"name": "B", "weight": 1, "subject": "Hi", "body": "Yo"})
    new["steps"][1]["timeout"] = "P3D"
    new["steps"][1]["on_timeout"] = "end"

    texts = changes(WELCOME, new)

    assert texts == [
        "Added variant B to “Hello”",
        "Changed the subject of “Hello” (variant A) from “Hi {{ contact.first_name | default: "
        "'there' }}” to “Welcome aboard, {{ contact.first_name }}”",
        "Changed the time limit of “Wait upload” from 2 days to 3 days",
        "“Wait upload”: the path for people who don't do it in time now goes to “End” "
        "(was “Nudge”)",
    ]


def test_steps_added_removed_and_renamed():
    new = copy.deepcopy(WELCOME)
    new["steps"][3]["id"] = "SMS_nudge"
    new["steps"][1]["on_timeout"] = "SMS_nudge"
    del new["steps"][2]
    new["steps"][1]["next"] = "end"
    new["steps"].insert(2, {"id": "pause", "type": "delay", "duration": "PT3H"})

    texts = changes(WELCOME, new)

    assert "Renamed step “Nudge” to “SMS nudge”" in texts
    assert "Added step “Pause” (Wait a while)" in texts
    assert "Removed step “Praise” (Send a message)" in texts
    assert "“Wait upload”: the next step now goes to “End” (was the next step in the list)" in (
        texts
    )
    assert not any("on_timeout" in text or "path for people" in text for text in texts)


def test_trigger_audience_goal_and_conditions_in_words():
    new = copy.deepcopy(WELCOME)
    new["trigger"] = {"event": "Signed up"}
    new["audience"] = []
    del new["goal"]

    texts = changes(WELCOME, new)

    assert texts == [
        "Changed the trigger from “Signed Up” where plan is “free” or “trial” to “Signed up”",
        "Changed who may enter (was: email is set; now: everyone)",
        "Removed the goal (“Invited Teammate” within 2 weeks)",
    ]


def test_summary_keeps_the_first_changes_and_counts_the_rest():
    new = copy.deepcopy(WELCOME)
    new["name"] = "Hello"
    new["description"] = "New"
    new["reentry"] = "after_exit"
    new["exit"] = []

    summary = summarize(document_changes(WELCOME, new), limit=2)

    assert summary == (
        "Changed the name from “Welcome” to “Hello”; Changed the description from nothing to "
        "“New”; and 2 more changes"
    )


def test_problem_paths_read_as_places_in_the_journey(welcome_document):
    from journeys.builder.paths import Place, place

    assert place(welcome_document, "steps[3].variants[0].body") == Place(
        "nudge", "“Nudge”, variant A, text"
    )
    assert place(welcome_document, "steps[1].on_timeout") == Place(
        "wait_upload", "“Wait upload”, path for people who don't do it in time"
    )
    assert place(welcome_document, "trigger.where[0].op") == Place(
        None, "the trigger, filter 1, comparison"
    )
    assert place(welcome_document, "steps[9]") == Place(None, "step 10")
    assert place(welcome_document, "") == Place(None, "the journey")
