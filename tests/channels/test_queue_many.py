"""message_queue_many: the engine's batched outbox call keeps message_queue's promises."""

from __future__ import annotations

from datetime import timedelta

from channels.delivery.queue import (
    MessageContent,
    MessageRequest,
    message_queue,
    message_queue_many,
)
from channels.delivery.subscriptions import subscription_set
from channels.models import Message, MessageStatusChange
from tests.channels.support import CONTEXT, NOW

EMAIL = MessageContent(subject="Hi {{ contact.first_name }}", body="Welcome")


def _request(contact, channel="email", visit=None, **extra):
    return MessageRequest(
        contact_id=contact.pk,
        channel=channel,
        content=EMAIL,
        context=CONTEXT,
        step_visit_id=visit,
        journey_id=1,
        **extra,
    )


def test_a_batch_writes_one_message_and_one_history_row_each(make_contact):
    ada, bob = make_contact(), make_contact(email="bob@example.com", first_name="Bob")

    queued = message_queue_many(requests=[_request(ada, visit=1), _request(bob, visit=2)], now=NOW)

    assert [q.status for q in queued] == ["queued", "queued"]
    rows = list(
        Message.objects.order_by("step_visit_id").values_list("step_visit_id", "to_address")
    )
    assert rows == [(1, "ada@example.com"), (2, "bob@example.com")]
    assert MessageStatusChange.objects.filter(to_status="queued").count() == 2


def test_a_repeated_step_visit_returns_the_existing_message(make_contact):
    ada = make_contact()
    first = message_queue(
        contact_id=ada.pk,
        channel="email",
        content=EMAIL,
        context=CONTEXT,
        step_visit_id=7,
        now=NOW,
    )

    again = message_queue_many(requests=[_request(ada, visit=7), _request(ada, visit=7)], now=NOW)

    assert [q.message_id for q in again] == [first.message_id, first.message_id]
    assert Message.objects.count() == 1


def test_opted_out_and_addressless_contacts_are_suppressed_with_a_reason(make_contact):
    ada, nobody = make_contact(), make_contact(email="")
    subscription_set(contact_id=ada.pk, channel="email", state="unsubscribed", reason="asked")

    queued = message_queue_many(
        requests=[_request(ada, visit=1), _request(nobody, visit=2)], now=NOW
    )

    assert [q.status for q in queued] == ["suppressed", "suppressed"]
    assert queued[0].suppressed_reason.startswith("email unsubscribed")
    assert queued[1].suppressed_reason == "no email address"


def test_the_frequency_cap_counts_messages_earlier_in_the_same_batch(make_contact, settings):
    settings.CHANNELS_FREQUENCY_CAP = 2
    ada = make_contact()

    queued = message_queue_many(
        requests=[_request(ada, visit=n) for n in (1, 2, 3)] + [_request(ada, "in_app", visit=4)],
        now=NOW,
    )

    assert [q.deferred_reason for q in queued] == ["", "", "frequency_cap", ""]
    assert queued[2].scheduled_for == NOW + timedelta(hours=24)
