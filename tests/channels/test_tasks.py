from __future__ import annotations

from datetime import timedelta

import pytest
from django_q.models import Schedule

from channels.delivery.messages import (
    Accepted,
    message_mark_sent_many,
    message_track,
    messages_create,
)
from channels.delivery.queue import MessageContent, message_queue
from channels.models import Message
from channels.rendering import RenderedMessage
from channels.tasks import deliver_messages
from tests.channels.support import NOW, history

HELLO = MessageContent(subject="Hello", body="Hi {{ contact.first_name }}")


def test_the_sweeper_schedule_exists_after_migrating(db):
    schedule = Schedule.objects.get(name="channels.send_due_messages")

    assert (schedule.func, schedule.schedule_type, schedule.minutes) == (
        "channels.tasks.send_due_messages",
        Schedule.MINUTES,
        1,
    )


def test_a_batch_sends_only_what_this_worker_claimed(make_contact, queue, fake_postmark, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    first = queue(make_contact(email="a@example.com"), "email", HELLO, now=NOW)
    second = queue(make_contact(email="b@example.com"), "email", HELLO, now=NOW)
    due = first.scheduled_for
    Message.objects.filter(pk=second.message_id).update(claimed_until=due + timedelta(minutes=5))

    outcomes = deliver_messages([first.message_id, second.message_id], now=due)

    assert outcomes == {first.message_id: "sent"}
    assert [r.json()["To"] for r in fake_postmark.requests] == ["a@example.com"]
    assert Message.objects.get(pk=second.message_id).status == "queued"


def test_a_tracking_event_that_overtakes_the_send_is_not_undone(contact, queue, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    queued = queue(contact, "email", HELLO, now=NOW)
    message_track(status="delivered", message_id=queued.message_id, now=NOW)

    message_mark_sent_many(
        accepted=[
            Accepted(
                message_id=queued.message_id,
                provider_id="pm-1",
                status="sent",
                to_address="ada@example.com",
                rendered=RenderedMessage(channel="email", subject="Hello", text="Hi Ada"),
            )
        ],
        now=NOW,
    )

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.provider_id, message.subject) == (
        "delivered",
        "pm-1",
        "Hello",
    )
    assert history(message.pk) == [
        ("", "queued", True),
        ("queued", "delivered", True),
        ("delivered", "sent", False),
    ]


def test_in_app_deliveries_take_one_update_each_and_share_the_history_insert(
    make_contact, django_assert_num_queries
):
    # Queued in-app messages are delivered where they are queued; these three waited (as
    # deferred ones do) and are delivered by a worker.
    waiting = [
        (
            Message(
                contact=make_contact(), channel="in_app", content={"body": "Hello"},
                scheduled_for=NOW, created_at=NOW,
            ),
            "",
        )
        for _ in range(3)
    ]  # fmt: skip
    messages_create(now=NOW, messages=waiting)
    ids = [message.pk for message, _ in waiting]
    accepted = [
        Accepted(
            message_id=pk,
            provider_id=f"in_app-{pk}",
            status="delivered",
            to_address="u-1",
            rendered=RenderedMessage(channel="in_app", text="Hello"),
        )
        for pk in ids
    ]

    # One UPDATE per message and one history INSERT, plus the savepoint pair.
    with django_assert_num_queries(3 + 1 + 2):
        message_mark_sent_many(accepted=accepted, now=NOW)

    message = Message.objects.get(pk=ids[0])
    assert (message.status, message.sent_at, message.delivered_at) == ("delivered", NOW, NOW)
    assert (message.provider_id, message.body) == (f"in_app-{ids[0]}", "Hello")
    assert history(message.pk) == [
        ("", "queued", True),
        ("queued", "sent", True),
        ("sent", "delivered", True),
    ]


def test_a_batch_that_runs_out_of_time_hands_the_rest_back(
    make_contact, queue, fake_postmark, settings
):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    first = queue(make_contact(email="a@example.com"), "email", HELLO, now=NOW)
    second = queue(make_contact(email="b@example.com"), "email", HELLO, now=NOW)
    settings.CHANNELS_BATCH_SECONDS = 0

    outcomes = deliver_messages([first.message_id, second.message_id], now=first.scheduled_for)

    released = Message.objects.filter(pk__in=[first.message_id, second.message_id])
    assert outcomes == {}
    assert fake_postmark.requests == []
    assert list(released.values_list("status", "claimed_until", "attempts")) == [
        ("queued", None, 0),
        ("queued", None, 0),
    ]


def test_an_unexpected_provider_answer_leaves_that_message_claimed_and_frees_the_rest(
    make_contact, queue, fake_twilio, settings
):
    settings.CHANNELS_QUIET_HOURS = {"sms": "00:00-23:59"}
    first = queue(make_contact(phone="+15550000001"), "sms", HELLO, now=NOW)
    second = queue(make_contact(phone="+15550000002"), "sms", HELLO, now=NOW)
    fake_twilio.then_respond(201, "this is not JSON")

    with pytest.raises(ValueError, match="Expecting value"):
        deliver_messages([first.message_id, second.message_id], now=first.scheduled_for)

    stuck = Message.objects.get(pk=first.message_id)
    freed = Message.objects.get(pk=second.message_id)
    assert (stuck.status, stuck.claimed_until is not None, stuck.attempts) == ("queued", True, 1)
    assert (freed.status, freed.claimed_until, freed.attempts) == ("queued", None, 0)
    assert len(fake_twilio.requests) == 1


def test_messages_queued_in_one_transaction_go_out_in_one_task(
    make_contact, fake_postmark, django_capture_on_commit_callbacks
):
    contacts = [make_contact(email=f"p{i}@example.com") for i in range(3)]

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        queued = [
            message_queue(contact_id=c.pk, channel="email", content=HELLO, context={})
            for c in contacts
        ]

    assert len(callbacks) == 1
    assert [Message.objects.get(pk=q.message_id).status for q in queued] == ["sent"] * 3
    assert len(fake_postmark.requests) == 3


def test_a_message_queued_outside_a_transaction_is_delivered_at_once(
    make_contact, fake_postmark, transactional_db
):
    queued = message_queue(contact_id=make_contact().pk, channel="email", content=HELLO, context={})

    assert Message.objects.get(pk=queued.message_id).status == "sent"
