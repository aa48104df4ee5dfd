"""Issue 18, point 8: every staff page writes a moment the one way, its zone always said."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from journeys.core.zones import time_words, zone_words

LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_a_time_in_a_zone_says_the_zone_and_utc():
    moment = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    assert time_words(moment, LOS_ANGELES) == "3 Dec 2026, 10:00 in Los Angeles (18:00 UTC)"
    assert time_words(moment, ZoneInfo("Europe/Paris")) == "3 Dec 2026, 19:00 in Paris (18:00 UTC)"


def test_utc_is_said_once():
    assert time_words(datetime(2026, 12, 3, 18, 0, tzinfo=UTC)) == "3 Dec 2026, 18:00 UTC"


def test_the_utc_date_is_said_when_it_is_another_day():
    moment = datetime(2026, 12, 4, 7, 30, tzinfo=UTC)
    assert time_words(moment, LOS_ANGELES) == (
        "3 Dec 2026, 23:30 in Los Angeles (4 Dec, 07:30 UTC)"
    )


def test_zones_read_as_places():
    assert zone_words(ZoneInfo("America/Argentina/Buenos_Aires")) == "Buenos Aires"
    assert zone_words(ZoneInfo("Etc/UTC")) == "UTC"
