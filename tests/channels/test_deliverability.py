"""Deliverability: a dead address stays dead for everyone who has it, the frequency cap
holds when two transactions queue for one person at once, and staff set the rules."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from channels.delivery.queue import MessageContent, message_queue
from channels.models import DeliverySettings, Message, SuppressedAddress
from tests.channels.support import load_fixture

HELLO = MessageContent(subject="Hello", body="Hi {{ contact.first_name }}")


def _bounce(email: str, *, message: Message | None = None, name: str = "bounce") -> dict:
    payload = load_fixture(f"postmark/{name}.json")
    payload["Email"] = email
    payload["MessageID"] = message.provider_id if message else "unknown-to-stepwise"
    payload["Metadata"] = {"message_id": str(message.pk)} if message else {}
    return payload


def test_a_hard_bounce_for_a_message_we_never_sent_suppresses_the_address(
    make_contact, queue, fake_postmark, post_postmark
):
    ada = make_contact(email="ada@example.com")
    twin = make_contact(email="ADA@example.com ")  # same mailbox, another contact

    assert post_postmark(_bounce("ada@example.com")).status_code == 200
    assert post_postmark(_bounce("ada@example.com")).status_code == 200  # repeated: once

    outcomes = [queue(person, "email", HELLO) for person in (ada, twin)]
    statuses = [Message.objects.get(pk=q.message_id).status for q in outcomes]
    assert statuses == ["suppressed", "suppressed"]
    assert fake_postmark.requests == []  # nothing reached the ESP
    reason = Message.objects.get(pk=outcomes[0].message_id).status_reason
    assert "hard bounce" in reason
    assert SuppressedAddress.objects.get().address == "ada@example.com"


def test_a_complaint_on_one_contacts_message_protects_every_contact_with_that_address(
    make_contact, queue, fake_postmark, post_postmark
):
    ada = make_contact(email="ada@example.com")
    sent = Message.objects.get(pk=queue(ada, "email", HELLO).message_id)
    assert sent.status == "sent"
    other = make_contact(email="ada@example.com")
    unrelated = make_contact(email="bo@example.com")

    post_postmark(_bounce("ada@example.com", message=sent, name="spam_complaint"))

    again = Message.objects.get(pk=queue(other, "email", HELLO).message_id)
    fine = Message.objects.get(pk=queue(unrelated, "email", HELLO).message_id)
    assert again.status == "suppressed"
    assert "spam complaint" in again.status_reason
    assert fine.status == "sent"


def test_an_open_event_for_an_unknown_message_suppresses_nothing(
    make_contact, post_postmark, fake_postmark
):
    payload = load_fixture("postmark/open.json")
    payload["MessageID"], payload["Metadata"] = "unknown", {}

    assert post_postmark(payload).status_code == 200
    assert not SuppressedAddress.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite's IMMEDIATE transactions serialise writers",
)
@pytest.mark.django_db(transaction=True)
def test_the_frequency_cap_holds_when_two_transactions_queue_for_one_person_at_once(
    make_contact, settings
):
    settings.CHANNELS_FREQUENCY_CAP = 1
    settings.CHANNELS_QUIET_HOURS = {}
    ada = make_contact()
    both_counted = threading.Barrier(2, timeout=10)
    results: list[str] = []
    errors: list[BaseException] = []

    def queue_one() -> None:
        try:
            with transaction.atomic():
                queued = message_queue(
                    contact_id=ada.pk, channel="email", content=HELLO, context={}
                )
                results.append(queued.deferred_reason)
                # Hold the transaction open until the other one has tried too.
                try:
                    both_counted.wait(timeout=2)
                except threading.BrokenBarrierError:
                    pass  # the other transaction is waiting for our lock: as it should
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=queue_one) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sorted(results) == ["", "frequency_cap"]


def test_staff_set_quiet_hours_the_cap_and_the_sender_in_the_admin(
    admin_client, make_contact, settings
):
    settings.CHANNELS_FREQUENCY_CAP = 5
    page = admin_client.get("/admin/channels/deliverysettings/", follow=True)
    assert page.status_code == 200
    assert "Blank: 5." in page.content.decode()  # the default, said beside the field
    url = page.redirect_chain[-1][0]

    refused = admin_client.post(url, {"sms_quiet_hours": "after 9", "frequency_cap": ""})
    assert refused.status_code == 200
    assert "Quiet hours must look like 21:00-08:00" in refused.content.decode()

    saved = admin_client.post(
        url,
        {
            "sms_quiet_hours": "",
            "email_quiet_hours": "",
            "quiet_hours_off": "on",
            "frequency_cap": "1",
            "email_from": "Acme <hello@acme.example>",
            "email_reply_to": "",
            "sms_from": "",
        },
    )
    assert saved.status_code == 302
    assert DeliverySettings.objects.get().frequency_cap == 1

    ada = make_contact()
    first = message_queue(contact_id=ada.pk, channel="email", content=HELLO, context={})
    second = message_queue(contact_id=ada.pk, channel="email", content=HELLO, context={})
    assert (first.deferred_reason, second.deferred_reason) == ("", "frequency_cap")
    from channels import conf

    assert conf.email_from() == "Acme <hello@acme.example>"
    assert conf.quiet_hours("sms") is None  # "no quiet hours" ticked
