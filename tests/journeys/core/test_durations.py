from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from journeys.core.durations import (
    LocalTimeRule,
    format_duration,
    parse_duration,
    parse_time_of_day,
    parse_weekdays,
)

PARIS = ZoneInfo("Europe/Paris")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
EXAMPLES = "P2D (2 days), PT1H (1 hour) or PT30M (30 minutes)"
IN_DAYS = "write it in days, such as P30D (30 days)."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("P14D", timedelta(days=14)),
        ("P2D", timedelta(days=2)),
        ("PT1H", timedelta(hours=1)),
        ("PT2H30M", timedelta(hours=2, minutes=30)),
        ("PT90S", timedelta(seconds=90)),
        ("P1W", timedelta(weeks=1)),
        ("P1DT12H", timedelta(days=1, hours=12)),
    ],
)
def test_parse_duration(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 days", f"“2 days” is not a length of time: write one such as {EXAMPLES}."),
        ("P", f"“P” is not a length of time: write one such as {EXAMPLES}."),
        ("PT", f"“PT” is not a length of time: write one such as {EXAMPLES}."),
        ("P1DT", f"“P1DT” is not a length of time: write one such as {EXAMPLES}."),
        ("p2d", f"“p2d” is not a length of time: write one such as {EXAMPLES}."),
        ("P1M", f"“P1M” counts months or years, which have no fixed length: {IN_DAYS}"),
        ("P1Y", f"“P1Y” counts months or years, which have no fixed length: {IN_DAYS}"),
        ("P0D", "“P0D” is no time at all: give a length above zero."),
    ],
)
def test_parse_duration_refuses(text, message):
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        parse_duration(text)


def test_parse_duration_refuses_a_number():
    with pytest.raises(ValueError, match="Write a length of time such as P2D"):
        parse_duration(3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("delta", "text"),
    [
        (timedelta(days=14), "P14D"),
        (timedelta(hours=2, minutes=30), "PT2H30M"),
        (timedelta(days=1, seconds=5), "P1DT5S"),
        (timedelta(weeks=1), "P7D"),
    ],
)
def test_format_duration(delta, text):
    assert format_duration(delta) == text
    assert parse_duration(text) == delta


def test_parse_time_of_day():
    assert parse_time_of_day("09:00") == time(9, 0)
    assert parse_time_of_day("23:59") == time(23, 59)


@pytest.mark.parametrize("text", ["9:00", "24:00", "09:60", "0900", ""])
def test_parse_time_of_day_refuses(text):
    with pytest.raises(ValueError, match="is not a time of day: write it on the 24-hour clock"):
        parse_time_of_day(text)


def test_parse_weekdays_orders_and_dedupes():
    assert parse_weekdays(["fri", "Mon", "mon"]) == ("mon", "fri")


def test_parse_weekdays_refuses_unknown_day():
    with pytest.raises(ValueError, match="“monday” is not a weekday"):
        parse_weekdays(["monday"])


def test_until_later_the_same_day():
    rule = LocalTimeRule(time(9, 0), WEEKDAYS)
    wednesday_7_paris = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
    assert rule.next_after(wednesday_7_paris, PARIS) == datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def test_until_skips_to_next_allowed_day():
    rule = LocalTimeRule(time(9, 0), WEEKDAYS)
    friday_10_paris = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
    monday_9_paris = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
    assert rule.next_after(friday_10_paris, PARIS) == monday_9_paris


def test_until_at_the_exact_time_is_now():
    rule = LocalTimeRule(time(9, 0))
    moment = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert rule.next_after(moment, PARIS) == moment


def test_until_across_paris_spring_forward():
    """Paris moves from UTC+1 to UTC+2 on Sunday 29 March 2026: 09:00 Monday is 07:00 UTC."""
    rule = LocalTimeRule(time(9, 0), WEEKDAYS)
    saturday = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)
    assert rule.next_after(saturday, PARIS) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_until_across_paris_fall_back():
    """Paris moves from UTC+2 to UTC+1 on Sunday 25 October 2026: 09:00 Monday is 08:00 UTC."""
    rule = LocalTimeRule(time(9, 0), WEEKDAYS)
    friday_after_nine = datetime(2026, 10, 23, 8, 0, tzinfo=UTC)
    assert rule.next_after(friday_after_nine, PARIS) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_until_a_time_skipped_by_spring_forward_moves_forward():
    """02:30 does not exist in Paris on 29 March 2026; it becomes 03:30 CEST (01:30 UTC)."""
    rule = LocalTimeRule(time(2, 30))
    saturday_evening = datetime(2026, 3, 28, 22, 0, tzinfo=UTC)
    assert rule.next_after(saturday_evening, PARIS) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)


def test_until_an_ambiguous_time_takes_the_first():
    """01:30 happens twice in New York on 1 November 2026; the first is 05:30 UTC (EDT)."""
    rule = LocalTimeRule(time(1, 30))
    saturday_evening = datetime(2026, 11, 1, 0, 0, tzinfo=UTC)
    assert rule.next_after(saturday_evening, NEW_YORK) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)


def test_until_across_new_york_spring_forward():
    """New York moves to EDT on Sunday 8 March 2026: 09:00 Monday is 13:00 UTC, not 14:00."""
    rule = LocalTimeRule(time(9, 0), WEEKDAYS)
    friday_noon = datetime(2026, 3, 6, 17, 0, tzinfo=UTC)
    assert rule.next_after(friday_noon, NEW_YORK) == datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
