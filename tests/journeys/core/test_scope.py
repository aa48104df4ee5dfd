"""What a step can speak of: the trigger's event everywhere, an awaited event only after
the wait it ended, nothing from a timeout."""

from __future__ import annotations

from journeys.core.scope import (
    InReach,
    in_every_way,
    names_in_reach,
    scopes_at,
    templates_see,
    variable,
)
from tests.journeys.core.helpers import journey

SMS = {"id": "Nudge", "type": "message", "channel": "sms", "variants": [{"name": "A", "body": "x"}]}


def wait(**extra: object) -> dict[str, object]:
    return {"id": "Wait", "type": "wait_for_event", "event": "Uploaded File"} | extra


def test_the_trigger_is_in_reach_at_the_first_step() -> None:
    spec = journey([SMS])

    assert scopes_at(spec, "Nudge") == ((InReach("Signed Up"),),)


def test_an_awaited_event_is_in_reach_only_after_it_came() -> None:
    spec = journey(
        [wait(timeout="P2D", on_timeout="Late"), SMS | {"next": "End"}, SMS | {"id": "Late"},
         {"id": "End", "type": "exit"}]
    )  # fmt: skip

    assert scopes_at(spec, "Nudge") == ((InReach("Signed Up"), InReach("Uploaded File", "Wait")),)
    assert scopes_at(spec, "Late") == ((InReach("Signed Up"),),)


def test_a_step_both_ways_reach_has_the_awaited_event_on_one_way_only() -> None:
    spec = journey([wait(timeout="P2D"), SMS])

    scopes = scopes_at(spec, "Nudge")

    assert names_in_reach(scopes) == ("Signed Up", "Uploaded File")
    assert in_every_way(scopes, "Signed Up")
    assert not in_every_way(scopes, "Uploaded File")


def test_a_wait_without_time_limit_brings_its_event_to_what_follows() -> None:
    spec = journey([wait(), SMS])

    assert in_every_way(scopes_at(spec, "Nudge"), "Uploaded File")


def test_templates_see_the_newest_event_that_came_as_event() -> None:
    seen = {
        "Signed Up": {"name": "Signed Up", "properties": {"plan": "pro"}, "timestamp": None},
        "Other": {"name": "Other", "properties": {"plan": "free"}},
    }

    found = templates_see(("Signed Up", "Uploaded File"), seen)

    assert found["event"]["plan"] == "pro"
    assert list(found["events"]) == ["Signed Up"]


def test_event_is_the_one_that_came_last_whatever_the_order_of_the_ways() -> None:
    """An ask answered on one way and the awaited note on another: the note came last."""
    seen = {
        "Created Note": {"name": "Created Note", "properties": {"title": "Groceries"},
                         "timestamp": "2026-12-07T10:05:00+00:00"},
        "Answered ask_role": {"name": "Answered ask_role", "properties": {"answer": "design"},
                              "timestamp": "2026-12-07T10:01:00+00:00"},
    }  # fmt: skip

    found = templates_see(("Signed Up", "Created Note", "Answered ask_role"), seen)

    assert found["event"]["title"] == "Groceries"


def test_event_is_the_one_that_moved_the_contact_even_if_it_is_older() -> None:
    """A file uploaded before the bot asked for it: the step that thanks for it speaks of
    the upload, not of the note written after it."""
    seen = {
        "Uploaded File": {"name": "Uploaded File", "properties": {"filename": "plan.pdf"},
                          "timestamp": "2026-12-07T10:00:00+00:00"},
        "Created Note": {"name": "Created Note", "properties": {"title": "Groceries"},
                         "timestamp": "2026-12-07T10:05:00+00:00"},
    }  # fmt: skip

    found = templates_see(("Created Note", "Uploaded File"), seen, moved_by="Uploaded File")

    assert found["event"]["filename"] == "plan.pdf"


def test_a_variable_is_written_for_the_person_who_picked_it() -> None:
    assert variable("", "first_name", "there") == '{{ contact.first_name | default: "there" }}'
    assert variable("Uploaded File", "link") == '{{ events["Uploaded File"].link }}'
    assert variable("Paid", "the plan", 'a "b"') == (
        """{{ events["Paid"]["the plan"] | default: 'a "b"' }}"""
    )


def test_a_journey_of_many_waits_is_answered_without_listing_every_way() -> None:
    """Thirty waits whose time limits rejoin the main line: 2**30 ways to the last step
    (listing them hung the builder's checks at 250 steps); the answers stay exact."""
    steps = []
    for n in range(30):
        steps.append({"id": f"Wait{n}", "type": "wait_for_event", "event": f"Did {n}",
                      "timeout": "P1D", "on_timeout": f"Nudge{n}"})  # fmt: skip
        steps.append(SMS | {"id": f"Nudge{n}"})
    steps.append(SMS | {"id": "Last"})
    spec = journey(steps)

    scopes = scopes_at(spec, "Last")

    assert names_in_reach(scopes) == ("Signed Up", *(f"Did {n}" for n in range(30)))
    assert in_every_way(scopes, "Signed Up")
    assert not any(in_every_way(scopes, f"Did {n}") for n in range(30))
    assert {scope[-1].event for scope in scopes} == {"Signed Up", *(f"Did {n}" for n in range(30))}
