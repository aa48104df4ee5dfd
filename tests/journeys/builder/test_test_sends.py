"""Issue 18, point 3: test sends go anywhere. The box starts with the staff member's own
email (or, without one, says how to add it), sends to any address typed in any channel
that can be tested, and remembers the last address per staff member and channel."""

from __future__ import annotations

import html

import pytest
from django.core import mail

from channels.models import Message
from channels.tasks import deliver_messages
from tests.journeys.builder.test_canvas import add, post, save_message, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def welcome(signed_in, journey, ingest):
    ingest("maya", ("identify", {"email": "maya@example.com", "firstName": "Maya"}))
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", subject="Hi {{ contact.first_name }}")
    return journey


def preview(client, journey, step="Email") -> str:
    page = client.get(url(journey, f"steps/{step}/preview/"), {"contact": "maya"})
    return html.unescape(page.content.decode())


def send_test(client, journey, to: str, step="Email") -> str:
    sent = post(client, url(journey, f"steps/{step}/test-send/"), {"variant": "A", "to": to})
    queued = list(Message.objects.filter(status="queued").values_list("pk", flat=True))
    deliver_messages(queued)
    return html.unescape(sent.content.decode())


def test_the_box_starts_with_my_email_and_sends_anywhere_i_type(signed_in, welcome):
    assert 'name="to" value="ada@example.com"' in preview(signed_in, welcome)

    said = send_test(signed_in, welcome, "qa-team@example.org")

    assert "Test of variant A sent to qa-team@example.org" in said
    assert [m.to for m in mail.outbox] == [["qa-team@example.org"]]
    assert mail.outbox[0].subject == "[Test] Hi Maya"
    page = preview(signed_in, welcome)
    assert 'name="to" value="qa-team@example.org"' in page  # remembered
    assert "Stepwise remembers where your last test went." in page


def test_each_staff_member_and_channel_remembers_its_own(client, welcome, make_staff):
    client.force_login(make_staff("bob"))
    send_test(client, welcome, "bob-tests@example.org")
    client.force_login(make_staff("cy"))
    assert 'value="cy@example.com"' in preview(client, welcome)  # not Bob's

    add(client, welcome, "message")
    save_message(client, welcome, "Email_2", channel="sms", subject="", body="Hi there")
    assert 'name="to" value=""' in preview(client, welcome, "Email_2")  # no phone known
    said = send_test(client, welcome, "not a phone", step="Email_2")
    assert "is not a phone number" in said
    assert 'name="to" value=""' in preview(client, welcome, "Email_2")  # refused: not kept


def test_a_staff_member_without_an_email_is_told_how_to_add_one(client, welcome, make_staff):
    nobody = make_staff("noemail")
    nobody.email = ""
    nobody.save()
    client.force_login(nobody)

    page = preview(client, welcome)
    assert 'name="to" value=""' in page
    assert "Your account has no email address: type one here (Stepwise remembers it)" in page
    assert "ask an administrator to add it to your account" in page
    said = send_test(client, welcome, "")
    assert "Not sent: type your email address first." in said
