"""Issue 18, point 4: a step's name keeps its punctuation wherever staff read it. The id
that paths and reports point at is made from it (letters, digits, _), and the name itself
is kept as typed; the screen never shows the id in its place."""

from __future__ import annotations

import html

import pytest

from journeys.builder.diff import change_texts, document_changes
from journeys.builder.graph import fresh_id, named
from journeys.core.format import dump_journey, parse_journey
from tests.journeys.builder.test_canvas import add, post, rev, save_message, url

pytestmark = pytest.mark.django_db

NAME = "Day 2: “Hello!” — café & co."


def page(client, path: str) -> str:
    return html.unescape(client.get(path).content.decode())


def test_a_punctuated_name_is_kept_and_shown_everywhere(signed_in, journey):
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "trigger/"), trigger)
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Welcome email")
    add(signed_in, journey, "message", source="Welcome_email", outcome="next")
    response = save_message(
        signed_in, journey, "Email", name=NAME, subject="Hi {{ contact.nickname }}"
    )
    assert response.status_code == 200
    journey.refresh_from_db()
    step = journey.draft_spec["steps"][1]
    assert (step["id"], step["name"]) == ("Day_2_Hello_cafe_co", NAME)

    canvas = page(signed_in, url(journey, "?step=Day_2_Hello_cafe_co"))
    assert f"</span>{NAME}</a>" in canvas  # the card
    assert f"<h2>{NAME} <span" in canvas  # the editor's heading
    assert f'value="{NAME}"' in canvas  # the name field
    assert f"Add a step after “{NAME}”" in canvas
    assert "Day 2 Hello" not in canvas
    assert "Day_2_Hello_cafe_co</" not in canvas
    checks = page(signed_in, url(journey, "checks/"))
    assert f">“{NAME}”</a>: Uses {{{{ contact.nickname }}}}" in checks
    publish = page(signed_in, url(journey, "publish/"))
    assert f"Added step “{NAME}” (Send a message)" in publish
    assert signed_in.post(url(journey, "publish/"), {"migrate": "drain"}).status_code == 303
    journey.refresh_from_db()
    assert journey.current_version.spec["steps"][1]["name"] == NAME


def test_only_the_punctuation_changed_keeps_the_id_and_says_renamed(signed_in, journey):
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Weekday 10 00")
    journey.refresh_from_db()
    before = dict(journey.draft_spec)
    save_message(signed_in, journey, "Weekday_10_00", name="Weekday 10:00")
    journey.refresh_from_db()
    step = journey.draft_spec["steps"][0]
    assert (step["id"], step["name"]) == ("Weekday_10_00", "Weekday 10:00")
    changes = change_texts(document_changes(before, journey.draft_spec))
    assert changes == ["Renamed step “Weekday 10 00” to “Weekday 10:00”"]
    canvas = page(signed_in, url(journey))
    assert "Weekday 10:00</a>" in canvas
    assert "Weekday 10 00" not in canvas


def test_a_copy_and_the_delete_question_use_the_name(signed_in, journey):
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name=NAME)
    step = "Day_2_Hello_cafe_co"
    copied = post(signed_in, url(journey, f"steps/{step}/duplicate/"), {"revision": rev(journey)})
    assert f"Copied as “{NAME} copy”." in html.unescape(copied.content.decode())
    asked = page(signed_in, url(journey, f"steps/{step}/delete/"))
    assert f"Delete “{NAME}”?" in asked


def test_ids_come_from_names_in_plain_letters_and_names_round_trip():
    assert fresh_id([], NAME) == "Day_2_Hello_cafe_co"
    assert fresh_id(["Day_2_Hello_cafe_co"], NAME) == "Day_2_Hello_cafe_co_2"
    assert named({"id": "Welcome_email", "name": "old"}, "Welcome email") == {"id": "Welcome_email"}
    assert named({"id": "Weekday_10_00"}, "Weekday 10:00")["name"] == "Weekday 10:00"
    document = {
        "format": "stepwise.journey/1",
        "key": "k",
        "name": "K",
        "trigger": {"event": "Signed Up"},
        "steps": [{"id": "Day_2", "name": NAME, "type": "delay", "duration": "P1D"}],
    }
    spec = parse_journey(document)
    assert spec.steps[0].name == NAME
    assert dump_journey(spec)["steps"][0]["name"] == NAME
