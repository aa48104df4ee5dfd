"""Durations and local times typed in words become the format's own form."""

from __future__ import annotations

from datetime import time, timedelta

import pytest

from journeys.builder.words import (
    LocalTime,
    WordsError,
    iso_length,
    length_words,
    local_time_words,
    parse_length,
    parse_local_time,
    parse_wait,
)
from journeys.core.durations import parse_duration


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2 days", "P2D"),
        ("3h", "PT3H"),
        ("1 hour 30 minutes", "PT1H30M"),
        ("1 hour and 30 minutes", "PT1H30M"),
        ("1h30m", "PT1H30M"),
        ("90 min", "PT1H30M"),
        ("half an hour", "PT30M"),
        ("an hour", "PT1H"),
        ("1.5 hours", "PT1H30M"),
        ("two weeks", "P14D"),
        ("1 week", "P7D"),
        ("  2   Days ", "P2D"),
        ("P2D", "P2D"),
        ("pt45m", "PT45M"),
        ("1 day, 4 hours", "P1DT4H"),
    ],
)
def test_lengths_in_words_are_stored_as_iso_the_format_reads(text, iso):
    delta = parse_length(text)

    assert iso_length(delta) == iso
    assert parse_duration(iso) == delta


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2 dayz", "I can't read “2 dayz” as a length of time. Try “2 days”"),
        ("3 months", "Months and years have no fixed length"),
        ("0 days", "is no time at all"),
        ("", "Type a length of time."),
        ("soon", "I can't read “soon”"),
        ("1.5 seconds", "does not come to whole seconds"),
    ],
)
def test_unreadable_lengths_say_why_in_plain_words(text, message):
    with pytest.raises(WordsError) as error:
        parse_length(text)

    assert message in str(error.value)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Monday 9:00", LocalTime(time(9, 0), ("mon",))),
        ("Monday 9:00 in the contact's time zone", LocalTime(time(9, 0), ("mon",))),
        ("9am", LocalTime(time(9, 0))),
        ("9 am", LocalTime(time(9, 0))),
        ("21:30", LocalTime(time(21, 30))),
        ("weekdays at 9:00", LocalTime(time(9, 0), ("mon", "tue", "wed", "thu", "fri"))),
        ("mon-fri 8.30", LocalTime(time(8, 30), ("mon", "tue", "wed", "thu", "fri"))),
        ("Friday to Monday 6pm", LocalTime(time(18, 0), ("mon", "fri", "sat", "sun"))),
        ("tuesdays and thursdays at noon", LocalTime(time(12, 0), ("tue", "thu"))),
        ("every day at 12am", LocalTime(time(0, 0))),
        ("until next Monday 9:00", LocalTime(time(9, 0), ("mon",))),
    ],
)
def test_local_times_in_words(text, expected):
    assert parse_local_time(text) == expected


def test_a_local_time_is_stored_as_the_formats_until_object():
    assert parse_local_time("weekends 10:15").document() == {
        "time": "10:15",
        "weekdays": ["sat", "sun"],
    }
    assert parse_local_time("7:05").document() == {"time": "07:05"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Monday 25:00", "“25:00” is not a time of day"),
        ("13pm", "with am or pm the hour is 1 to 12"),
        ("Monday 9:00 and 10:00", "more than one time of day"),
        ("Blursday 9:00", "I can't read “Blursday 9:00”"),
    ],
)
def test_unreadable_local_times_say_why(text, message):
    with pytest.raises(WordsError) as error:
        parse_local_time(text)

    assert message in str(error.value)


def test_a_wait_reads_either_a_length_or_a_local_time():
    assert parse_wait("2 days") == timedelta(days=2)
    assert parse_wait("Monday 9:00") == LocalTime(time(9, 0), ("mon",))
    with pytest.raises(WordsError, match="not a time of day"):
        parse_wait("Monday 29:00")
    with pytest.raises(WordsError, match="as a length of time"):
        parse_wait("2 dayz")


@pytest.mark.parametrize(
    ("delta", "words"),
    [
        (timedelta(days=2), "2 days"),
        (timedelta(days=14), "2 weeks"),
        (timedelta(days=1, hours=3), "1 day 3 hours"),
        (timedelta(minutes=30), "30 minutes"),
        (timedelta(hours=1), "1 hour"),
    ],
)
def test_lengths_read_back_in_words(delta, words):
    assert length_words(delta) == words
    assert parse_length(words) == delta


def test_local_times_read_back_in_words():
    assert local_time_words(LocalTime(time(9, 0), ("mon",))) == "Monday 09:00"
    assert local_time_words(LocalTime(time(9, 0), ("mon", "tue", "wed", "thu", "fri"))) == (
        "weekdays 09:00"
    )
    assert local_time_words(LocalTime(time(18, 0), ("mon", "fri"))) == "Monday or Friday 18:00"
    assert local_time_words(LocalTime(time(7, 30))) == "07:30"
    assert parse_local_time(local_time_words(LocalTime(time(9, 0), ("mon", "fri")))) == (
        LocalTime(time(9, 0), ("mon", "fri"))
    )
