"""Local-time rules use the contact's zone, then the source's, then the site's; stored in UTC."""

from __future__ import annotations

import pytest
from django.db import transaction

from channels.models import Message
from journeys.models import Enrollment, Event
from journeys.run.enrollments import enrollments_handle_events, enrollments_wake_due
from journeys.run.journeys import journey_import

from .conftest import utc

MORNING = {
    "format": "stepwise.journey/1",
    "key": "morning",
    "name": "Morning tip",
    "trigger": {"event": "Signed Up"},
    "reentry": "never",
    "steps": [
        {"id": "nine", "type": "delay", "until": {"time": "09:00"}},
        {
            "id": "tip",
            "type": "message",
            "channel": "email",
            "variants": [{"subject": "Tip", "body": "Tip"}],
        },
    ],
}
# Saturday 7 March 2026, 15:00 UTC: New York springs forward on Sunday at 02:00.
SATURDAY = utc(2026, 3, 7, 15, 0)


@pytest.fixture
def morning(db):
    return journey_import(data=MORNING, publish=True)


def _sign_up(contact, send_event):
    send_event(contact, "Signed Up", at=SATURDAY)
    with transaction.atomic():
        enrollments_handle_events(events=list(Event.objects.filter(contact=contact)), now=SATURDAY)
    return Enrollment.objects.get(contact=contact)


def test_delay_until_nine_uses_the_contacts_zone_across_the_dst_change(
    morning, make_contact, send_event
):
    ada = make_contact("ada", timezone="America/New_York")

    enrollment = _sign_up(ada, send_event)

    # 09:00 EDT (UTC-4) on Sunday, not 09:00 EST (UTC-5) as on Saturday.
    assert enrollment.wake_at == utc(2026, 3, 8, 13, 0)


def test_delay_falls_back_to_the_sources_zone(morning, make_contact, send_event, source):
    source.timezone = "Asia/Tokyo"
    source.save(update_fields=["timezone"])
    bob = make_contact("bob")

    enrollment = _sign_up(bob, send_event)

    assert enrollment.wake_at == utc(2026, 3, 8, 0, 0)  # 09:00 in Tokyo (UTC+9)


def test_delay_falls_back_to_the_sites_zone(morning, make_contact, send_event, settings):
    settings.TIME_ZONE = "Europe/Paris"
    cy = make_contact("cy")

    enrollment = _sign_up(cy, send_event)

    assert enrollment.wake_at == utc(2026, 3, 8, 8, 0)  # 09:00 in Paris (UTC+1)


def test_the_timer_fires_at_its_utc_time_and_not_before(morning, make_contact, send_event):
    ada = make_contact("ada", timezone="America/New_York")
    _sign_up(ada, send_event)

    early = enrollments_wake_due(now=utc(2026, 3, 8, 12, 59))
    due = enrollments_wake_due(now=utc(2026, 3, 8, 13, 0))

    assert (early, due) == (0, 1)
    assert Enrollment.objects.get(contact=ada).state == "completed"
    assert Message.objects.filter(contact=ada, channel="email").count() == 1
