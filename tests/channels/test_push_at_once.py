"""The worker hands push several notifications at once: a slow push service delays each
batch by one answer, not one answer per person; each person's outcome is still their
own (sent, retried, failed, device forgotten), and the queries stay in the worker's
own transaction (these tests run inside one)."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels.delivery.sending import messages_send, recipient
from channels.models import Message
from channels.push_devices import PushDevice, device_register
from channels.registry import get_channel
from tests.channels.push_fixtures import browser_device
from tests.channels.test_push import CHANNEL, NOTE
from tests.fakes.http import Scripted
from tests.fakes.push import fcm_error

PEOPLE = get_channel(CHANNEL).sends_at_once  # type: ignore[union-attr]


def _queued(queue, make_contact, count: int, device) -> list[Message]:  # noqa: ANN001
    later = timezone.now() + timedelta(days=1)  # queued, not sent on commit
    messages = []
    for i in range(count):
        contact = make_contact(first_name=f"Person {i}")
        device(contact, i)
        queued = queue(contact, CHANNEL, NOTE, now=later)
        messages.append(Message.objects.get(pk=queued.message_id))
    return messages


def _send(messages: list[Message]) -> dict[int, str]:
    due = max(m.scheduled_for for m in messages) + timedelta(seconds=1)
    return messages_send(message_ids=[m.pk for m in messages], now=due)


def test_a_slow_push_service_answers_a_batch_of_people_together(queue, make_contact, fake_webpush):
    assert PEOPLE > 1
    fake_webpush.hold_until(PEOPLE)  # answers once every request of the batch is in
    messages = _queued(queue, make_contact, PEOPLE, lambda c, i: browser_device(c, fake_webpush))

    outcomes = _send(messages)

    assert not fake_webpush.held_apart, "the notifications went out one after another"
    assert list(outcomes.values()) == ["sent"] * PEOPLE
    titles = sorted(p["title"] for p in fake_webpush.delivered)
    assert titles == sorted(f"Person {i}, your note is shared" for i in range(PEOPLE))


def test_each_persons_answer_in_a_batch_is_their_own(queue, make_contact, fake_fcm):
    def phone(contact, i: int) -> None:  # noqa: ANN001
        device_register(
            contact_id=contact.pk,
            kind=PushDevice.Kind.ANDROID,
            token=f"phone-{i}",
            now=timezone.now(),
        )

    messages = _queued(queue, make_contact, 4, phone)
    fake_fcm.by_token = {
        "phone-1": Scripted(404, fcm_error(404, "NOT_FOUND", "UNREGISTERED")),
        "phone-2": Scripted(429, fcm_error(429, "RESOURCE_EXHAUSTED", "QUOTA_EXCEEDED")),
        "phone-3": Scripted(400, fcm_error(400, "FAILED_PRECONDITION", "THIRD_PARTY_AUTH")),
    }

    outcomes = _send(messages)

    assert [outcomes[m.pk] for m in messages] == ["sent", "failed", "retrying", "failed"]
    assert [m["token"] for m in fake_fcm.delivered] == ["phone-0"]
    statuses = {m.pk: m.status for m in Message.objects.filter(pk__in=[m.pk for m in messages])}
    assert [statuses[m.pk] for m in messages] == ["sent", "failed", "queued", "failed"]
    assert list(PushDevice.objects.values_list("token", flat=True).order_by("token")) == [
        "phone-0",
        "phone-2",
        "phone-3",
    ]  # only the install Firebase says is gone was forgotten

    fake_fcm.by_token = {}
    retried = Message.objects.get(pk=messages[2].pk)
    messages_send(message_ids=[retried.pk], now=retried.scheduled_for + timedelta(seconds=1))

    assert Message.objects.get(pk=retried.pk).status == "sent"
    assert [m["token"] for m in fake_fcm.delivered] == ["phone-0", "phone-2"]


def test_a_batch_mixing_push_and_email_sends_both(queue, make_contact, fake_webpush, fake_postmark):
    later = timezone.now() + timedelta(days=1)
    ids = []
    for i in range(3):
        contact = make_contact(first_name=f"Person {i}", email=f"person{i}@example.com")
        browser_device(contact, fake_webpush)
        ids.append(queue(contact, CHANNEL, NOTE, now=later).message_id)
        ids.append(queue(contact, "email", NOTE, now=later).message_id)

    outcomes = messages_send(message_ids=ids, now=later + timedelta(seconds=1))

    assert [outcomes[pk] for pk in ids] == ["sent"] * 6
    assert len(fake_webpush.delivered) == 3
    assert len(fake_postmark.requests) == 3


def test_a_browser_subscribed_just_after_a_look_at_the_address_gets_the_message(
    contact, queue, fake_webpush
):
    push = get_channel(CHANNEL)
    assert push is not None
    assert push.address(recipient(contact), NOTE) == ""  # e.g. the builder's reach check

    browser_device(contact, fake_webpush)
    queue(contact, CHANNEL, NOTE)

    assert Message.objects.get(contact=contact).status == "sent"
    assert len(fake_webpush.delivered) == 1
