"""Issue 18, point 8: what staff read on a contact's page. Times in the contact's zone with
UTC beside them, one status word per message shared by the step list and the Messages
table, "reached the goal" said, and the "why" in plain words: lengths of time in words,
no field names."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from channels.models import Message
from channels.tasks import send_due_messages
from journeys.run.enrollments import enrollments_wake_due
from journeys.tasks import process_pending_events
from tests.journeys.runtime.test_messages_stop import LATER

ENGINE_WORDS = ("P2D", "P14D", "on_timeout", "quiet_hours", "converted:", "_", "'")


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client.force_login(user)
    return client


def _read(staff_client, contact) -> dict[str, str]:
    """The page's sections as text, as a person reads them (tags and spacing gone)."""
    html = staff_client.get(reverse("admin:journeys_contact_change", args=[contact.pk]))
    body = html.content.decode()

    def text(start: str, end: str) -> str:
        part = body[body.index(start) : body.index(end, body.index(start))]
        return " ".join(re.sub(r"<[^>]+>", " ", part).replace("&#x27;", "'").split())

    return {
        "journey": text("<h3>", "</h3>"),
        "steps": text('aria-label="Steps reached"', "</ol>"),
        "why": text('class="trace"', "</ol>"),
        "messages": text('id="messages-heading"', "</table>"),
        "about": text('id="about-heading"', "</dl>"),
    }


def test_a_goal_reached_while_the_email_waited_for_quiet_hours(
    settings, live_welcome, make_contact, send_event, staff_client
):
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    settings.CHANNELS_FREQUENCY_CAP = 0
    ada = make_contact("ada", timezone="America/Los_Angeles")
    send_event(ada, "Signed Up", plan="free")
    process_pending_events(linger=0)
    held = _read(staff_client, ada)
    assert re.search(r"\d\d:\d\d in Los Angeles \((\d+ \w+, )?\d\d:\d\d UTC\)", held["journey"])
    assert "Hello" in held["steps"]
    assert "Waiting to be sent: held for quiet hours" in held["steps"]
    assert "Waiting to be sent held for quiet hours" in held["messages"]
    assert "“Hello”: held for quiet hours until " in held["why"]

    send_event(ada, "Invited Teammate")
    process_pending_events(linger=0)
    send_due_messages(now=timezone.now() + LATER)

    page = _read(staff_client, ada)
    assert "reached the goal on " in page["journey"]
    assert "in Los Angeles (" in page["journey"]
    assert "Not sent: reached the goal first" in page["steps"]
    assert "reached the goal" in page["steps"].removeprefix("Hello")
    assert "Not sent reached the goal first" in page["messages"]
    assert "reached the goal: did “Invited Teammate” on " in page["why"]
    assert "“Hello”: an email, variant A" in page["why"]
    assert "Time zone Los Angeles" in page["about"]
    for word in ENGINE_WORDS:
        assert word not in page["why"]
    message = Message.objects.get(contact=ada)
    read = staff_client.get(reverse("admin:channels_message_change", args=[message.pk]))
    text = " ".join(re.sub(r"<[^>]+>", " ", read.content.decode()).split())
    assert "Not sent: reached the goal first" in text
    assert "Waiting to be sent: held for quiet hours until " in text
    assert "quiet_hours" not in text
    assert re.search(r"\d\d:\d\d in Los Angeles \(", text)
    listed = staff_client.get(reverse("admin:channels_message_changelist")).content.decode()
    assert '<td class="field-status_words">Not sent</td>' in listed
    for times in (page["why"], page["messages"], page["about"]):  # every time with its zone
        zoned = r"\d\d:\d\d in Los Angeles \((\d+ \w+, )?\d\d:\d\d UTC\)"
        assert not re.search(r"\d\d:\d\d", re.sub(zoned, "", times))


def test_a_wait_that_ran_out_of_time_in_words(live_welcome, make_contact, send_event, staff_client):
    bob = make_contact("bob", phone="+15550100")
    send_event(bob, "Signed Up", plan="free")
    process_pending_events(linger=0)
    enrollments_wake_due(now=timezone.now() + timedelta(days=2, minutes=1))

    page = _read(staff_client, bob)
    assert "ran out of time: no “Uploaded File” within 2 days, so on to “Nudge”" in page["why"]
    assert "waiting for “Uploaded File” until " in page["why"]
    assert "finished: reached “End”" in page["why"]
    assert "Time zone not known: times here are in UTC" in page["about"]
    for word in ENGINE_WORDS:
        assert word not in page["why"]
