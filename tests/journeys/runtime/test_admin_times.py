"""Issue 18, point 8 on the admin's own pages: every list and read-only page writes a time
as the contact page does, its zone in words with UTC beside it ("3 Dec 2026, 10:00 in Los
Angeles (18:00 UTC)"), in the row's contact's zone; never a bare zone abbreviation."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from channels.models import Message
from journeys.models import DecisionTrace, Enrollment, Event, StepVisit
from journeys.tasks import process_pending_events
from tests.journeys.runtime.conftest import utc

EVENING_UTC = utc(2026, 12, 3, 18, 0)
IN_LOS_ANGELES = "3 Dec 2026, 10:00 in Los Angeles (18:00 UTC)"
# Django's own way, which these pages must not use: "3 Dec 2026, 10:00 PST".
ABBREVIATION = re.compile(r"\d\d:\d\d (?!UTC)[A-Z]{2,5}\b")


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def ada(settings, live_welcome, make_contact, send_event):
    """A contact in Los Angeles in the welcome journey, her email held for quiet hours, and
    every time of hers at 18:00 UTC on 3 Dec (10:00 where she lives)."""
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    settings.CHANNELS_FREQUENCY_CAP = 0
    ada = make_contact("ada", timezone="America/Los_Angeles")
    send_event(ada, "Signed Up", plan="free")
    process_pending_events(linger=0)
    type(ada).objects.filter(pk=ada.pk).update(last_seen_at=EVENING_UTC, first_seen_at=EVENING_UTC)
    Event.objects.filter(contact=ada).update(timestamp=EVENING_UTC, received_at=EVENING_UTC)
    Enrollment.objects.filter(contact=ada).update(entered_at=EVENING_UTC, wake_at=EVENING_UTC)
    StepVisit.objects.filter(enrollment__contact=ada).update(entered_at=EVENING_UTC)
    DecisionTrace.objects.filter(contact=ada).update(at=EVENING_UTC)
    Message.objects.filter(contact=ada).update(scheduled_for=EVENING_UTC, sent_at=None)
    return ada


def _text(response) -> str:
    assert response.status_code == 200
    html = re.sub(r"<[^>]+>", " ", response.content.decode())
    return " ".join(html.split())


@pytest.mark.parametrize(
    "page",
    [
        "admin:journeys_contact_changelist",
        "admin:journeys_event_changelist",
        "admin:journeys_enrollment_changelist",
        "admin:journeys_decisiontrace_changelist",
        "admin:channels_message_changelist",
    ],
)
def test_admin_lists_say_the_contacts_zone_in_words(staff_client, ada, page):
    text = _text(staff_client.get(reverse(page)))
    assert IN_LOS_ANGELES in text
    assert not ABBREVIATION.search(text), ABBREVIATION.search(text)


def test_an_enrollments_page_and_its_steps_say_the_zone_in_words(staff_client, ada):
    enrollment = Enrollment.objects.get(contact=ada)
    text = _text(
        staff_client.get(reverse("admin:journeys_enrollment_change", args=[enrollment.pk]))
    )
    assert text.count(IN_LOS_ANGELES) >= 3  # entered, wakes, the step visited, the trace
    assert not ABBREVIATION.search(text), ABBREVIATION.search(text)


def test_a_list_still_sorts_by_its_time_column(staff_client, ada, make_contact):
    make_contact("bob", timezone="Europe/Paris")
    url = reverse("admin:journeys_contact_changelist")
    html = staff_client.get(url).content.decode()
    assert "Last seen at" in _text(staff_client.get(url))
    sort_link = re.search(r'href="(\?o=[^"]+)"[^>]*>Last seen at', html)
    assert sort_link, "the time column can still be sorted"
    text = _text(staff_client.get(url + sort_link[1].replace("&amp;", "&")))
    assert text.index("ada@example.com") < text.index("bob@example.com")  # 3 Dec, then today


def test_the_enrollments_list_names_the_step_in_words(staff_client, ada):
    """Staff read the step as the builder names it, never its id ("wait_upload")."""
    from journeys.builder.names import step_name  # noqa: PLC0415

    enrollment = Enrollment.objects.get(contact=ada)
    assert "_" in enrollment.step_key  # an id a person would not write
    text = _text(staff_client.get(reverse("admin:journeys_enrollment_changelist")))
    assert step_name(enrollment.step_key) in text
    assert enrollment.step_key not in text
