from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from journeys.core.engine import SendMessage
from journeys.core.simulate import (
    ScriptEvent,
    format_timeline,
    parse_offset,
    parse_script,
    simulate,
)
from tests.journeys.core.helpers import DAY, EXAMPLE, HOUR, T0, contact


@pytest.mark.parametrize(
    ("text", "delta"),
    [
        ("+0s", timedelta(0)),
        ("+90s", timedelta(seconds=90)),
        ("+30m", timedelta(minutes=30)),
        ("+1h", timedelta(hours=1)),
        ("+2d3h", timedelta(days=2, hours=3)),
        ("+1w", timedelta(weeks=1)),
        ("+P2DT1H", timedelta(days=2, hours=1)),
    ],
)
def test_parse_offset(text, delta):
    assert parse_offset(text) == delta


@pytest.mark.parametrize("text", ["+", "+1x", "1h", "+h"])
def test_parse_offset_refuses(text):
    with pytest.raises(ValueError, match="is not an offset such as"):
        parse_offset(text)


def test_parse_script_reads_offsets_and_times_in_order():
    script = parse_script(
        [
            {"at": "2026-11-26T08:00:00+01:00", "event": "B"},
            {"at": "+1h", "event": "A", "properties": {"plan": "free"}},
        ],
        start=T0,
    )
    assert script == [
        ScriptEvent(T0 + HOUR, "A", {"plan": "free"}),
        ScriptEvent(datetime(2026, 11, 26, 7, 0, tzinfo=UTC), "B", {}),
    ]


def test_parse_script_refuses_a_naive_time():
    with pytest.raises(ValueError, match='events\\[0\\].at: "2026-11-26T08:00:00" needs a UTC'):
        parse_script([{"at": "2026-11-26T08:00:00", "event": "B"}], start=T0)


def test_parse_script_refuses_an_item_without_event():
    with pytest.raises(ValueError, match='events\\[0\\]: needs "event"'):
        parse_script([{"at": "+1h"}], start=T0)


def test_dry_run_of_a_conversion(welcome):
    script = [
        ScriptEvent(T0, "Signed Up", {"plan": "trial"}),
        ScriptEvent(T0 + DAY, "Invited Teammate"),
    ]
    result = simulate(welcome, contact=contact(id="ada"), script=script, start=T0)
    assert format_timeline(result, start=T0).splitlines() == [
        ' +0d 00:00  2026-11-25 10:00 UTC  event     Signed Up {"plan": "trial"}',
        "                                  entry     in the audience: "
        "trait email = 'ada@example.com' is set: yes",
        "                                  entry     entered: Signed Up matched the trigger "
        "(property plan = 'trial' is in ['free', 'trial']: yes)",
        "                                  why       started at hello on Signed Up",
        "                                  step      hello (message)",
        "                                  send      would send email, variant A",
        "                                  step      wait_upload (wait_for_event)",
        "                                  wait      for Uploaded File until 2026-11-27 10:00 UTC",
        " +1d 00:00  2026-11-26 10:00 UTC  event     Invited Teammate",
        "                                  converted performed goal Invited Teammate at "
        "2026-11-26 10:00 UTC",
    ]
    assert result.sent == (SendMessage("hello", "email", "A"),)
    assert result.final.state == "converted"
    assert result.enrollments == 1


def test_dry_run_fires_timers_in_virtual_time(welcome):
    script = [ScriptEvent(T0, "Signed Up", {"plan": "free"})]
    result = simulate(welcome, contact=contact(), script=script, start=T0)
    assert result.sent == (SendMessage("hello", "email", "A"), SendMessage("nudge", "sms", "A"))
    assert result.final.state == "completed"
    assert [e.at for e in result.entries if e.kind == "send"] == [T0, T0 + 2 * DAY]


def test_dry_run_of_a_contact_who_is_not_enrolled(welcome):
    script = [ScriptEvent(T0, "Signed Up", {"plan": "pro"})]
    result = simulate(welcome, contact=contact(), script=script, start=T0)
    assert result.final is None
    assert result.sent == ()
    assert [e.text for e in result.entries if e.kind == "entry"] == [
        "not enrolled: Signed Up did not match the trigger: "
        "property plan = 'pro' is in ['free', 'trial']: no"
    ]


def test_dry_run_reenters_after_exit():
    from journeys.core.format import parse_journey
    from tests.journeys.core.helpers import welcome_doc

    spec = parse_journey(welcome_doc() | {"reentry": "after_exit"})
    script = [
        ScriptEvent(T0, "Signed Up", {"plan": "free"}),
        ScriptEvent(T0 + HOUR, "Account Deleted"),
        ScriptEvent(T0 + 2 * HOUR, "Signed Up", {"plan": "free"}),
    ]
    result = simulate(spec, contact=contact(), script=script, start=T0, horizon=HOUR)
    assert result.enrollments == 2
    assert [s.step_id for s in result.sent] == ["hello", "hello"]
    assert result.final.state == "waiting"


def test_simulate_journey_command_prints_the_timeline(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps(
            {
                "contact": {
                    "id": "ada",
                    "traits": {"email": "ada@example.com"},
                    "timezone": "Europe/Paris",
                },
                "events": [
                    {"at": "+0m", "event": "Signed Up", "properties": {"plan": "free"}},
                    {"at": "+1h", "event": "Uploaded File", "properties": {"filename": "a.pdf"}},
                ],
            }
        )
    )
    out = StringIO()
    call_command(
        "simulate_journey",
        str(EXAMPLE),
        "--events",
        str(script),
        "--start",
        "2026-11-25T10:00:00+00:00",
        stdout=out,
    )
    lines = out.getvalue().splitlines()
    assert lines[0] == "Dry run of welcome (Welcome) for contact ada"
    assert lines[1] == "time zone Europe/Paris; nothing is sent or stored"
    assert lines[-1] == "2 message(s) would be sent; final state: completed"
    assert "                                  send      would send in_app, variant A" in lines


def test_simulate_journey_command_takes_contact_traits(tmp_path):
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps([{"at": "+0m", "event": "Signed Up", "properties": {"plan": "free"}}])
    )
    traits = tmp_path / "contact.json"
    traits.write_text(json.dumps({"first_name": "Ada"}))
    out = StringIO()
    call_command(
        "simulate_journey",
        str(EXAMPLE),
        "--events",
        str(script),
        "--contact",
        str(traits),
        "--start",
        "2026-11-25T10:00:00+00:00",
        stdout=out,
    )
    assert (
        out.getvalue().splitlines()[-1] == "0 message(s) would be sent; final state: not enrolled"
    )


def test_simulate_journey_command_reports_an_invalid_journey(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "stepwise.journey/1"}))
    script = tmp_path / "script.json"
    script.write_text("[]")
    with pytest.raises(CommandError, match="is not a valid journey:\nkey: Fill this in."):
        call_command("simulate_journey", str(bad), "--events", str(script))
