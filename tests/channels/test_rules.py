from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from channels.delivery.queue import MessageContent
from channels.delivery.rules import after_frequency_cap, after_quiet_hours, send_time
from channels.models import Message
from channels.tasks import send_due_messages
from journeys.core.zones import zone_for
from journeys.models import Source
from tests.channels.support import NOW

NIGHT = (time(21, 0), time(8, 0))
PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "at", "expected"),
    [
        # New York springs forward on 2027-03-14: 08:00 EDT is 12:00 UTC, not 13:00.
        (NEW_YORK, utc(2027, 3, 14, 3, 0), utc(2027, 3, 14, 12, 0)),
        # New York falls back on 2026-11-01: 08:00 EST is 13:00 UTC.
        (NEW_YORK, utc(2026, 11, 1, 2, 0), utc(2026, 11, 1, 13, 0)),
        # Paris falls back on 2026-10-25: 23:30 CEST → 08:00 CET = 07:00 UTC.
        (PARIS, utc(2026, 10, 24, 21, 30), utc(2026, 10, 25, 7, 0)),
        # Paris springs forward on 2027-03-28: 23:00 CET → 08:00 CEST = 06:00 UTC.
        (PARIS, utc(2027, 3, 27, 22, 0), utc(2027, 3, 28, 6, 0)),
        # After midnight, the quiet period ends the same morning.
        (PARIS, utc(2026, 11, 25, 4, 0), utc(2026, 11, 25, 7, 0)),
        # Daytime is never moved.
        (PARIS, utc(2026, 11, 25, 12, 0), utc(2026, 11, 25, 12, 0)),
        # 08:00 sharp is allowed, 21:00 sharp is not.
        (PARIS, utc(2026, 11, 25, 7, 0), utc(2026, 11, 25, 7, 0)),
        (PARIS, utc(2026, 11, 25, 20, 0), utc(2026, 11, 26, 7, 0)),
    ],
)
def test_quiet_hours_end_at_local_morning_across_dst(zone, at, expected):
    assert after_quiet_hours(at, zone, *NIGHT) == expected


def test_a_quiet_end_inside_the_skipped_hour_resolves_after_the_jump():
    # 02:30 does not exist in Paris on 2027-03-28; it resolves to 03:30 CEST.
    at = utc(2027, 3, 28, 0, 30)

    assert after_quiet_hours(at, PARIS, time(1, 0), time(2, 30)) == utc(2027, 3, 28, 1, 30)


def test_a_daytime_quiet_window_that_does_not_wrap():
    assert after_quiet_hours(utc(2026, 11, 25, 12, 0), PARIS, time(12, 0), time(14, 0)) == utc(
        2026, 11, 25, 13, 0
    )


def test_the_cap_waits_until_the_oldest_counted_send_leaves_the_window():
    counted = [NOW - timedelta(hours=23), NOW - timedelta(hours=1)]

    assert after_frequency_cap(NOW, counted, cap=2) == NOW + timedelta(hours=1)
    assert after_frequency_cap(NOW, counted, cap=3) == NOW
    assert after_frequency_cap(NOW, counted, cap=0) == NOW


def test_messages_already_deferred_into_the_future_count_too():
    counted = [NOW + timedelta(hours=10), NOW + timedelta(hours=11)]

    assert after_frequency_cap(NOW, counted, cap=2) == NOW + timedelta(hours=34)


def test_the_cap_defers_first_then_quiet_hours_apply():
    result = send_time(
        now=utc(2026, 11, 25, 12, 0),
        zone=PARIS,
        quiet=NIGHT,
        counted=[utc(2026, 11, 24, 21, 0)],
        cap=1,
    )

    assert (result.at, result.deferred_reason) == (utc(2026, 11, 26, 7, 0), "frequency_cap")


def test_zone_for_falls_back_in_order():
    assert zone_for("", "Not/AZone", "America/New_York", "UTC") == NEW_YORK
    assert zone_for("", "") == ZoneInfo("UTC")


SMS = MessageContent(body="Hi {{ contact.first_name }}")


def test_an_sms_at_night_is_deferred_to_the_contacts_morning_then_sent(
    contact, queue, fake_twilio, settings
):
    settings.CHANNELS_QUIET_HOURS = {"sms": "21:00-08:00"}
    night = utc(2026, 11, 25, 22, 0)  # 23:00 in Paris

    queued = queue(contact, "sms", SMS, now=night)
    early = send_due_messages(now=utc(2026, 11, 26, 6, 59))
    due = send_due_messages(now=utc(2026, 11, 26, 7, 0))

    assert (queued.status, queued.deferred_reason) == ("queued", "quiet_hours")
    assert queued.scheduled_for == utc(2026, 11, 26, 7, 0)
    assert (early, due) == (0, 1)
    assert len(fake_twilio.requests) == 1
    assert Message.objects.get(pk=queued.message_id).status == "sent"


def test_quiet_hours_use_the_source_time_zone_when_the_contact_has_none(
    make_contact, queue, fake_twilio, settings
):
    settings.CHANNELS_QUIET_HOURS = {"sms": "21:00-08:00"}
    source = Source.objects.create(
        name="App", key_prefix="sw_x", key_hash="h", timezone="America/New_York"
    )
    contact = make_contact(timezone="", source=source)

    queued = queue(contact, "sms", SMS, now=utc(2026, 11, 25, 3, 0))  # 22:00 in New York

    assert queued.scheduled_for == utc(2026, 11, 25, 13, 0)
    assert fake_twilio.requests == []


def test_quiet_hours_fall_back_to_the_site_time_zone(make_contact, queue, fake_twilio, settings):
    settings.CHANNELS_QUIET_HOURS = {"sms": "21:00-08:00"}
    settings.TIME_ZONE = "UTC"
    contact = make_contact(timezone="")

    queued = queue(contact, "sms", SMS, now=utc(2026, 11, 25, 22, 0))

    assert queued.scheduled_for == utc(2026, 11, 26, 8, 0)


def test_the_frequency_cap_defers_across_journeys_but_not_in_app(
    contact, queue, fake_postmark, settings
):
    settings.CHANNELS_FREQUENCY_CAP = 2
    email = MessageContent(subject="Hi", body="Hi")

    first = queue(contact, "email", email, journey_id=1, now=NOW)
    second = queue(contact, "email", email, journey_id=2, now=NOW)
    third = queue(contact, "email", email, journey_id=3, now=NOW)
    inbox = queue(contact, "in_app", MessageContent(body="Hi"), now=NOW)
    send_due_messages(now=NOW)

    assert [m.deferred_reason for m in (first, second, third, inbox)] == [
        "",
        "",
        "frequency_cap",
        "",
    ]
    assert third.scheduled_for == NOW + timedelta(hours=24)
    assert len(fake_postmark.requests) == 2


def test_a_retry_does_not_land_in_quiet_hours(contact, queue, fake_twilio, settings):
    settings.CHANNELS_QUIET_HOURS = {"sms": "21:00-08:00"}
    settings.CHANNELS_RETRY_BASE_SECONDS = 600
    fake_twilio.then_respond(503, {"code": 20500, "message": "Internal error", "status": 503})
    evening = utc(2026, 11, 25, 19, 55)  # 20:55 in Paris: allowed, but the retry is not

    queued = queue(contact, "sms", SMS, now=evening)
    send_due_messages(now=evening)

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.attempts) == ("queued", 1)
    assert message.scheduled_for == utc(2026, 11, 26, 7, 0)
