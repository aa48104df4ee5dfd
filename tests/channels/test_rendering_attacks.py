"""Issue 12: rendering cannot be turned against us. Contact and event data never become
links or tags; hostile input cannot stall the worker; every failure is a render failure
with a plain reason, and the batch goes on. Real Anymail against a fake Postmark."""

from __future__ import annotations

import pytest

from channels.delivery.queue import MessageContent
from channels.models import Message
from channels.tasks import deliver_messages

pytestmark = pytest.mark.timeout(60)
NOTE = MessageContent(subject="Note", body="Hi **{{ contact.first_name }}**: {{ event.note }}")


def _context(**properties):
    return {"event": {"name": "Noted", "properties": properties, **properties}, "journey": {}}


def test_a_first_name_written_as_a_markdown_link_stays_text(make_contact, queue, fake_postmark):
    phisher = make_contact(first_name="[Verify your account](https://evil.example) <b>now</b>")

    queue(phisher, "email", NOTE, context=_context(note="ok"))

    [request] = fake_postmark.requests
    html = request.json()["HtmlBody"]
    assert "evil.example" in html
    assert 'href="https://evil.example"' not in html
    assert "<b>now</b>" not in html
    assert "[Verify your account](https://evil.example) &lt;b&gt;now&lt;/b&gt;" in html


def test_nine_thousand_brackets_render_quickly_and_are_sent(contact, queue, fake_postmark):
    queued = queue(contact, "email", NOTE, context=_context(note="[" * 9_000))

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "sent"
    assert "[" * 100 in fake_postmark.requests[0].json()["HtmlBody"]


def test_a_huge_range_is_a_render_failure_with_a_plain_reason(contact, queue, fake_postmark):
    content = MessageContent(subject="S", body="{{ (1..10000000) | join: ',' | size }}")

    queued = queue(contact, "email", content, context=_context())

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert message.last_error == (
        "Text, line 1: A range is too long (more than 10,000 numbers): use a shorter one."
    )
    assert fake_postmark.requests == []


def test_a_date_filter_on_an_absurd_timestamp_is_a_render_failure(contact, queue, fake_postmark):
    content = MessageContent(subject="S", body="Since {{ event.when | date: '%Y' }}")

    queued = queue(contact, "email", content, context=_context(when="99999999999999"))

    message = Message.objects.get(pk=queued.message_id)
    assert message.status == "failed"
    assert message.last_error.startswith("Text: Part of the body can't be worked out")


def test_a_failing_render_does_not_hold_up_its_batch_mates(
    make_contact, queue, fake_postmark, settings
):
    broken = MessageContent(subject="S", body="{{ (1..10000000) | join }}")
    first = queue(make_contact(), "email", broken, context=_context(), now=None)
    second = queue(make_contact(), "email", NOTE, context=_context(note="fine"), now=None)

    deliver_messages([first.message_id, second.message_id])

    assert Message.objects.get(pk=first.message_id).status == "failed"
    assert Message.objects.get(pk=second.message_id).status == "sent"
