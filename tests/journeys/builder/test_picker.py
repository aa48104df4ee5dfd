"""The "Personalise" picker: one entry per trait however it is spelled, in words, with an
example from real data; the properties of the events in reach at the step only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from journeys.builder.picker import Choice, Group, friendly, step_picker
from journeys.models import Contact, Event
from journeys.people.sources import source_create

SAY = {"type": "message", "channel": "in_app", "variants": [{"name": "A", "body": "x"}]}
DOC = {
    "format": "stepwise.journey/1",
    "key": "uploads",
    "name": "First upload",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "Wait", "type": "wait_for_event", "event": "Uploaded File", "timeout": "P2D",
         "on_timeout": "Late"},
        SAY | {"id": "Nudge", "next": "End"},
        SAY | {"id": "Late"},
        {"id": "End", "type": "exit"},
    ],
}  # fmt: skip


@pytest.fixture
def people(db):
    source, _key = source_create(name="Product")
    now = timezone.now()
    ada = {"firstName": "Ada", "plan": "pro"}
    for minutes, (user, traits) in enumerate([("ada", ada), ("bo", {"first_name": "Bo"})]):
        seen = now + timedelta(minutes=minutes)  # Bo is the most recently seen
        person = Contact.objects.create(
            user_id=user, source=source, first_name=traits.get("firstName", "Bo"),
            traits=traits, first_seen_at=seen, last_seen_at=seen,
        )  # fmt: skip
        Event.objects.create(
            source=source, contact=person, name="Signed Up", properties={"plan": "pro"},
            message_id=f"s-{user}", timestamp=now, received_at=now,
        )  # fmt: skip
    Event.objects.create(
        source=source, contact=person, name="Uploaded File", properties={"fileUrl": "https://f"},
        message_id="u", timestamp=now, received_at=now,
    )  # fmt: skip


def test_after_the_wait_the_picker_offers_both_events_in_words(people):
    groups = step_picker(DOC, "Nudge")

    assert groups == [
        Group(
            "About the person",
            (
                Choice("First name", "contact.first_name", "Bo"),
                Choice("Plan", "contact.plan", "pro"),
            ),
        ),
        Group(
            "From “Signed Up”", (Choice("from Signed Up: Plan", 'events["Signed Up"].plan', "pro"),)
        ),
        Group(
            "From “Uploaded File”",
            (
                Choice(
                    "from Uploaded File: File url", 'events["Uploaded File"].fileUrl', "https://f"
                ),
            ),
        ),
    ]


def test_after_the_time_ran_out_the_awaited_event_is_not_offered(people):
    groups = step_picker(DOC, "Late")

    assert [group.label for group in groups] == ["About the person", "From “Signed Up”"]


def test_keys_read_as_words() -> None:
    assert [friendly(k) for k in ("firstName", "first_name", "plan-tier")] == [
        "First name", "First name", "Plan tier",
    ]  # fmt: skip


ASK = {"type": "ask", "channel": "in_app", "question": "What do you do?", "trait": "role",
       "replies": [{"label": "Design", "value": "design"}]}  # fmt: skip


def _editor_with(signed_in, journey, step: dict, step_id: str) -> str:
    """The editor of `step`, put second in DOC's journey, as the builder draws it."""
    steps = [DOC["steps"][0], step | {"id": step_id, "next": "End"}, SAY | {"id": "Late"}]
    document = DOC | {"key": journey.key, "steps": [*steps, DOC["steps"][-1]]}
    type(journey).objects.filter(pk=journey.pk).update(draft_spec=document)
    return signed_in.get(f"/admin/builder/{journey.key}/steps/{step_id}/").content.decode()


def test_an_ask_steps_question_has_the_picker_its_buttons_do_not(people, signed_in, journey):
    """The question is sent to the contact and written for each one (it is rendered as a
    message's text is); quick reply labels are shown as typed, so they get no picker."""
    page = _editor_with(signed_in, journey, ASK, "Role")

    assert "Personalise “Question”" in page
    assert "Personalise “Quick replies”" not in page
    assert "First name (for example “Bo”)" in page
    assert "from Uploaded File: File url (for example “https://f”)" in page
    assert 'data-personalise="id_question"' in page


def test_a_note_to_the_team_has_the_picker(people, signed_in, journey):
    """A note renders as a message does (journeys.run.notes), so it offers the same values."""
    note = {"type": "notify", "to": "sales@example.com", "text": "Stuck: {{ contact.email }}"}
    page = _editor_with(signed_in, journey, note, "Tell")

    assert "Personalise “Note”" in page
    assert "Personalise “Tell”" not in page
