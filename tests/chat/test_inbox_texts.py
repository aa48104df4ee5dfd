"""Issue 19, point 3, by text: an SMS the bot cannot answer lands in the same staff inbox
as the chat, marked as a text; the bot says by text that a person will read it, once; the
team is told once; and the staff answer goes back by text (as written, never as a
template), signed by the person."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from twilio.request_validator import RequestValidator

from channels.delivery.subscriptions import subscription_set
from channels.models import ChatEntry, Message
from journeys.models import Contact
from tests.channels import conftest as channel_fixtures
from tests.chat.test_inbox import EDITOR, in_journey_with_a_notify_step, nova_says, staff

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = "+14155550100"
fake_twilio = channel_fixtures.fake_twilio  # Twilio on 127.0.0.1, for the real client


def text(client, settings, body: str) -> str:
    """Ada texts our number: Twilio's signed webhook, as Twilio sends it."""
    url = f"{settings.PUBLIC_URL}/webhooks/twilio/inbound/"
    form = {"From": PHONE, "Body": body, "MessageSid": f"SM{abs(hash(body))}"}
    signature = RequestValidator(settings.TWILIO_AUTH_TOKEN).compute_signature(url, form)
    answer = client.post(
        "/webhooks/twilio/inbound/", form, headers={"X-Twilio-Signature": signature}
    )
    assert answer.status_code == 200
    return html.unescape(answer.content.decode())


@pytest.fixture
def ada(product):
    Contact.objects.filter(pk=product.contact_id).update(first_name="Ada", phone=PHONE)
    in_journey_with_a_notify_step(product.contact_id)
    nova_says(product.contact_id, "Write your first note.")
    return product.contact_id


def test_a_text_the_bot_cannot_answer_reaches_the_inbox_and_the_answer_goes_back_by_text(
    client, settings, fake_twilio, ada
):
    settings.CHANNELS_QUIET_HOURS = {}  # whatever the hour the suite runs at
    first = text(client, settings, "Where do I find my invoices?")
    assert "I'm just a bot — I've passed this to the Acme team" in first
    assert "<Message>" not in text(client, settings, "hello??")  # said once, not per text
    assert len(mail.outbox) == 1  # the team is told once per conversation
    assert "Ada wrote to the bot" in mail.outbox[0].body

    staff(client, "sam", *EDITOR, first_name="Sam")
    inbox = client.get("/admin/inbox/").content.decode()
    assert "2 new" in inbox
    page = html.unescape(client.get(f"/admin/inbox/{ada}/").content.decode())
    assert "Where do I find my invoices?" in page
    assert page.count("By text message") == 3  # her two texts and the bot's answer
    assert "Ada last wrote by text message: your answer goes to them by text" in page

    answer = "Settings, then Billing. {{ not a template }}"
    sent = client.post(f"/admin/inbox/{ada}/answer/", {"text": answer}, follow=True)
    assert "Sent by text message, signed with your first name" in sent.content.decode()
    [request] = fake_twilio.requests
    assert request.form()["To"] == PHONE
    assert request.form()["Body"].startswith(answer)
    line = ChatEntry.objects.filter(contact_id=ada).order_by("-seq").first()
    assert (line.author, line.sender_name, line.via) == ("staff", "Sam", "sms")
    assert line.message.status == "sent"

    assert "<Message>" not in text(client, settings, "thanks!")  # a person is talking
    assert ChatEntry.objects.filter(contact_id=ada, text="thanks!", kind="for_team").exists()


def test_an_answer_to_someone_who_stopped_texts_is_kept_and_staff_are_told(
    client, settings, fake_twilio, ada
):
    text(client, settings, "Can you call me?")
    subscription_set(contact_id=ada, channel="sms", state="unsubscribed", reason="replied STOP")
    staff(client, "sam", *EDITOR, first_name="Sam")
    sent = client.post(f"/admin/inbox/{ada}/answer/", {"text": "Sure"}, follow=True)
    assert "not sent by text: they asked not to get texts" in html.unescape(sent.content.decode())
    assert fake_twilio.requests == []
    assert Message.objects.get(channel="sms").status == "suppressed"


def test_an_answer_in_the_chat_stays_in_the_chat(client, settings, fake_twilio, ada, product):
    from tests.chat.test_replies import post  # noqa: PLC0415

    text(client, settings, "Is there an app?")
    post(client, product, "chat/replies", {"text": "Hello from the website"})  # wrote last
    staff(client, "sam", *EDITOR, first_name="Sam")
    client.post(f"/admin/inbox/{ada}/answer/", {"text": "Yes: search Acme Notes."})
    assert fake_twilio.requests == []
    assert not Message.objects.filter(channel="sms").exists()
