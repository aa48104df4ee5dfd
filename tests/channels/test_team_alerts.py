"""Notes to the team survive any name and come as one digest per journey every few
minutes, not one message per note."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from channels.delivery.team import team_alerts_sweep, team_notify
from channels.tasks import send_due_messages
from journeys.core.traits import extract_known_traits
from journeys.people.ingest import Incoming
from journeys.people.sources import source_create
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events

pytestmark = pytest.mark.django_db
TEAM = "team@stepwise.example.com"
SIGN_UP_NOTE = {
    "format": "stepwise.journey/1",
    "key": "tell-the-team",
    "name": "Tell the team",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "tell", "type": "notify", "to": TEAM, "text": "{{ contact.first_name }} signed up"}
    ],
}


def _sign_up(source_id: int, user_id: str, first_name: str) -> None:
    now = timezone.now()
    traits = {"firstName": first_name}
    common = {"user_id": user_id, "anonymous_id": None, "timestamp": now}
    event_ingest(
        source_id=source_id,
        messages=[
            Incoming(
                type="identify",
                name="Identify",
                traits=traits,
                known=extract_known_traits(traits),
                message_id=f"{user_id}-1",
                **common,
            ),
            Incoming(
                type="track", name="Signed Up", properties={}, message_id=f"{user_id}-2", **common
            ),
        ],
        received_at=now,
    )


def test_a_name_with_a_line_break_still_reaches_the_team(django_capture_on_commit_callbacks):
    journey_import(data=SIGN_UP_NOTE, publish=True)
    source, _ = source_create(name="Product")

    with django_capture_on_commit_callbacks(execute=True):
        _sign_up(source.pk, "ada", "Ada\nBcc: someone@evil.example")
        process_pending_events(linger=0)

    [email] = mail.outbox
    assert email.to == [TEAM]
    assert email.subject == "Ada Bcc: someone@evil.example signed up"
    assert email.body == "Ada\nBcc: someone@evil.example signed up"
    assert email.bcc == []


def test_two_hundred_notes_are_one_message_then_one_digest(
    settings, django_capture_on_commit_callbacks
):
    settings.CHANNELS_TEAM_DIGEST_MINUTES = 5
    for n in range(200):
        with django_capture_on_commit_callbacks(execute=True):
            team_notify(target=TEAM, text=f"Note {n}", topic="Welcome")

    sent_at_once = len(mail.outbox)
    send_due_messages()  # the minute sweep, inside the window: nothing more
    within_window = len(mail.outbox)
    team_alerts_sweep(now=timezone.now() + timedelta(minutes=6))

    assert (sent_at_once, within_window, len(mail.outbox)) == (1, 1, 2)
    assert mail.outbox[0].body == "Note 0"
    digest = mail.outbox[1]
    assert digest.subject.startswith("199 notes about “Welcome” in the last 5 minutes: - Note 1")
    lines = digest.body.splitlines()
    assert lines[0] == "199 notes about “Welcome” in the last 5 minutes:"
    assert lines[2:4] == ["- Note 1", "- Note 2"]
    assert lines[-2:] == ["- Note 50", "…and 149 more."]


def test_each_journey_and_target_has_its_own_digest(
    settings, receiver, django_capture_on_commit_callbacks
):
    hook = receiver.url.replace("127.0.0.1", "localhost") + "/slack"
    with django_capture_on_commit_callbacks(execute=True):
        team_notify(target=TEAM, text="Welcome note", topic="Welcome")
        team_notify(target=TEAM, text="Trial note", topic="Trial")
        team_notify(target=hook, text="Welcome note for the channel", topic="Welcome")

    assert sorted(email.body for email in mail.outbox) == ["Trial note", "Welcome note"]
    assert [json.loads(request.body) for request in receiver.requests] == [
        {"text": "Welcome note for the channel"}
    ]
