"""Open chats first (issue 24): a contact with the chat open has their events taken before
a backlog of other people's, so the bot's answer waits for one batch at most; an open
stream is what marks the chat as open."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from channels.models import ChatEntry, ChatWatch
from journeys.models import Contact, Event
from journeys.run.journeys import journey_import
from journeys.run.processing import events_process_batch
from journeys.tasks import process_pending_events
from tests.chat.conftest import open_stream
from tests.onboarding.stack import wait_for

BOT = {
    "format": "stepwise.journey/1", "key": "chat", "name": "Chat",
    "trigger": {"event": "Opened Chat"},
    "steps": [
        {"id": "ask", "type": "wait_for_event", "event": "Asked Bot"},
        {"id": "reply", "type": "message", "channel": "in_app",
         "variants": [{"body": "answer {{ event.properties.n }}"}], "next": "ask"},
    ],
}  # fmt: skip
BACKLOG = 300


@pytest.fixture
def chat_behind_a_backlog(db, make_source):
    """Ada is in the bot's journey; 300 other people's events wait, older than her
    question."""
    journey_import(data=BOT, publish=True)
    source, _key = make_source()
    now = timezone.now()

    def contact(user_id: str) -> Contact:
        return Contact.objects.create(
            user_id=user_id, source=source, first_seen_at=now, last_seen_at=now
        )

    def event(who: Contact, name: str, **properties) -> None:
        Event.objects.create(
            source=source, contact=who, name=name, properties=properties,
            message_id=f"{who.user_id}-{name}-{Event.objects.count()}",
            timestamp=now, received_at=now,
        )  # fmt: skip

    ada = contact("ada")
    event(ada, "Opened Chat")
    process_pending_events(linger=0)
    for n in range(BACKLOG):
        event(contact(f"other{n}"), "Page Viewed")
    event(ada, "Asked Bot", n=1)
    return ada


def _answered(ada: Contact) -> bool:
    return ChatEntry.objects.filter(contact=ada, text="answer 1").exists()


def _pending() -> int:
    return Event.objects.filter(processed_at__isnull=True).count()


def test_with_the_chat_open_the_question_is_answered_before_the_backlog(chat_behind_a_backlog):
    ada = chat_behind_a_backlog
    ChatWatch.objects.create(contact=ada, until=timezone.now() + timedelta(minutes=1))

    process_pending_events(batch_size=100, max_batches=1, linger=0)

    assert _answered(ada)
    assert _pending() == BACKLOG - 100  # one batch of the backlog went too, in order


def test_with_the_chat_closed_the_question_waits_its_turn(chat_behind_a_backlog):
    ada = chat_behind_a_backlog
    ChatWatch.objects.create(contact=ada, until=timezone.now() - timedelta(seconds=1))

    taken = events_process_batch(batch_size=100, watched_only=True)
    process_pending_events(batch_size=100, max_batches=1, linger=0)

    assert taken == 0
    assert not _answered(ada)
    process_pending_events(batch_size=100, linger=0)
    assert _answered(ada)


@pytest.mark.timeout(60)
def test_an_open_stream_marks_the_chat_open_until_shortly_after_it_closes(asgi_url, product):
    stream = open_stream(asgi_url, product)
    stream.next()

    wait_for(
        lambda: ChatWatch.objects.filter(
            contact_id=product.contact_id, until__gt=timezone.now()
        ).exists(),
        seconds=30,
        what="the stream to mark the chat open",
    )
    watch = ChatWatch.objects.get(contact_id=product.contact_id)
    stream.close()
    # Three heartbeats: a closed tab stops counting as open soon after.
    assert watch.until <= timezone.now() + 3 * timedelta(seconds=settings.CHAT_HEARTBEAT_SECONDS)
