"""Acme Notes's bot, whatever order people do things in: a step already done is never
asked for again, every praise names what was done, and everyone reaches the end. Each
order of the demo's three actions goes through the real worker."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest

from channels.models import ChatEntry, Message
from journeys.bot.replies import Reply, reply_receive
from journeys.models import Contact, Enrollment
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events
from tests.chat.test_ask import track

pytestmark = pytest.mark.django_db(transaction=True)
ACME = json.loads((Path(__file__).parents[2] / "onboarding/acme/journey.json").read_text())
ACTIONS = {
    "Created Note": {"title": "Groceries"},
    "Uploaded File": {"filename": "roadmap.pdf"},
    "Invited Teammate": {"email": "grace@example.com"},
}
# The message that asks for each action (the step before the wait for it).
ASKS_FOR = {
    step["id"]: later["event"]
    for step, later in itertools.pairwise(ACME["steps"])
    if step.get("skip_when_done") and later["type"] == "wait_for_event"
}


def test_the_demo_journey_marks_every_suggestion_skip_when_done():
    assert sorted(ASKS_FOR.values()) == sorted(ACTIONS)


def _bot_lines(contact_id: int) -> list[ChatEntry]:
    return list(ChatEntry.objects.filter(contact_id=contact_id, author="bot").order_by("seq"))


@pytest.mark.parametrize("order", list(itertools.permutations(ACTIONS)), ids="-then-".join)
def test_no_message_asks_for_what_is_done_in_any_order(product, order):
    journey_import(data=ACME, publish=True)
    track(product.source_id, "ada", "Signed Up", product="Acme Notes")
    contact = Contact.objects.get(pk=product.contact_id)
    reply_receive(contact=contact, reply=Reply(text="hi, I'm Ada"))
    process_pending_events(linger=0)
    reply_receive(contact=contact, reply=Reply(text="Design", value="design"))
    process_pending_events(linger=0)

    done: set[str] = set()
    for action in order:
        seen = len(_bot_lines(contact.pk))
        track(product.source_id, "ada", action, **ACTIONS[action])
        done.add(action)
        if _bot_lines(contact.pk)[-1].step_key == "offer_pings":  # after the first note
            reply_receive(contact=contact, reply=Reply(text="Not now", value="no"))
            process_pending_events(linger=0)
        for line in _bot_lines(contact.pk)[seen:]:
            assert ASKS_FOR.get(line.step_key) not in done, f"{line.step_key} asked again"

    said = [line.text for line in _bot_lines(contact.pk)]
    assert "Nice one, Ada! “Groceries” is saved." in said
    assert "Got roadmap.pdf, it sits beside your notes now." in said
    assert any(text.startswith("You did it") for text in said)
    assert not Message.objects.filter(contact_id=contact.pk, status="failed").exists()
    enrollment = Enrollment.objects.get(contact=contact)
    assert enrollment.state == "completed", enrollment.step_key


def test_without_skip_when_done_the_bot_would_ask_for_a_file_already_uploaded(product):
    """The check above can fail: the same journey without the flag asks again."""
    steps = [{k: v for k, v in step.items() if k != "skip_when_done"} for step in ACME["steps"]]
    journey_import(data=ACME | {"steps": steps}, publish=True)
    track(product.source_id, "ada", "Signed Up", product="Acme Notes")
    contact = Contact.objects.get(pk=product.contact_id)
    reply_receive(contact=contact, reply=Reply(text="Ada"))
    process_pending_events(linger=0)
    reply_receive(contact=contact, reply=Reply(text="Design", value="design"))
    process_pending_events(linger=0)
    track(product.source_id, "ada", "Uploaded File", filename="roadmap.pdf")
    track(product.source_id, "ada", "Created Note", title="Groceries")
    reply_receive(contact=contact, reply=Reply(text="Not now", value="no"))  # the push offer
    process_pending_events(linger=0)

    assert "suggest_upload" in [line.step_key for line in _bot_lines(contact.pk)]
