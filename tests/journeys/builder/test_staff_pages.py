"""Staff pages in plain words: the contact page, the message page, the admin dashboard."""

from __future__ import annotations

import re

import pytest

from channels.models import Message
from journeys.builder.drafts import journey_create
from journeys.models import Contact
from journeys.run.journeys import journey_import

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada_in_welcome(welcome_document, ingest, settings, django_capture_on_commit_callbacks):
    settings.CHANNELS_QUIET_HOURS = {}
    settings.CHANNELS_FREQUENCY_CAP = 0
    welcome_document["steps"][0]["variants"][0]["body"] = "Hello **{{ contact.first_name }}**"
    journey_import(data=welcome_document, publish=True)
    with django_capture_on_commit_callbacks(execute=True):
        ingest(
            "ada",
            ("identify", {"email": "ada@example.com", "firstName": "Ada", "plan": "free"}),
            ("Signed Up", {"plan": "free"}),
        )
    return Contact.objects.get(user_id="ada")


def test_the_contact_page_says_where_they_are_and_what_they_got(client, editor, ada_in_welcome):
    client.force_login(editor)

    html = client.get(f"/admin/journeys/contact/{ada_in_welcome.pk}/change/").content.decode()

    assert "Welcome v1 — waiting for “Uploaded File” until " in html
    assert " UTC, in 2 days" in html
    assert "<strong>Hello</strong>" in html
    assert "<strong>Wait upload</strong>" in html
    message = Message.objects.get(contact=ada_in_welcome)
    assert f'href="/admin/channels/message/{message.pk}/change/">Hi Ada</a>' in html
    assert "<strong>Sent</strong>" in html
    assert html.count("“Signed Up” matched the trigger") == 1
    assert "“Hello”: an email, handed over to be sent." in html
    main = html.split("<main")[1]
    assert re.search(r"\d+ [A-Z][a-z]{2} \d{4}, \d\d:\d\d UTC", main)  # her zone is not known
    assert not re.search(r"\d{4}-\d\d-\d\d", main)
    assert "Revision" not in html
    assert "claim" not in html.lower()
    assert "<dt>plan</dt><dd>free</dd>" in html


def test_the_message_page_renders_the_email_in_a_sandboxed_frame(client, editor, ada_in_welcome):
    client.force_login(editor)
    message = Message.objects.get(contact=ada_in_welcome)

    page = client.get(f"/admin/channels/message/{message.pk}/change/").content.decode()
    frame = client.get(f"/admin/channels/message/{message.pk}/rendered/")

    assert f'sandbox src="/admin/channels/message/{message.pk}/rendered/"' in page
    assert "<dd>Hi Ada</dd>" in page
    assert "&lt;p&gt;" not in page
    assert "claim" not in page.lower()
    assert "<strong>Ada</strong>" in frame.content.decode()
    assert frame["Content-Security-Policy"].endswith("sandbox")
    assert frame["X-Frame-Options"] == "SAMEORIGIN"


def test_the_dashboard_lists_live_journeys_unused_events_and_failures(
    client, editor, ada_in_welcome, ingest
):
    journey_create(name="Unpublished", by=editor)
    ingest("ada", ("Exported PDF", {}))
    ingest("ada", ("Answered ask_name", {"answer": "Ada"}))  # sent by Stepwise's own bot
    Message.objects.update(status="bounced", status_reason="mailbox does not exist")
    client.force_login(editor)

    html = client.get("/admin/").content.decode()

    board = html.split('class="stepwise-dashboard"')[1].split('id="content-main"')[0]
    live = board.split('id="live-heading"')[1].split("</section>")[0]
    assert 'href="/admin/builder/welcome/">Welcome</a>' in live
    assert "Unpublished" not in live
    assert '<a href="/admin/builder/unpublished/">Unpublished</a>: Created the journey' in board
    assert "<strong>Exported PDF</strong>" in board
    assert "<strong>Signed Up</strong>" not in board
    assert "Answered" not in board  # no false alarm, no step id
    assert "<strong>1 Email message</strong></a> failed, bounced or were marked as spam" in board
    assert "mailbox does not exist" in board
