"""Backtest: real stored events replayed through a draft; nothing sent, nothing stored."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.management import call_command

from channels.models import Message
from journeys.models import DecisionTrace, Enrollment, StepVisit
from journeys.run.backtest import backtest
from journeys.run.journeys import journey_import, journey_parse

from .conftest import utc

UNTIL = utc(2026, 11, 20, 12)


def _history(make_contact, send_event):
    day = timedelta(days=1)
    ada, bob, cy, dee, eve = (make_contact(name) for name in ("ada", "bob", "cy", "dee", "eve"))
    send_event(ada, "Signed Up", at=UNTIL - 10 * day, plan="free")
    send_event(ada, "Uploaded File", at=UNTIL - 10 * day + timedelta(hours=1), filename="a.pdf")
    send_event(bob, "Signed Up", at=UNTIL - 5 * day, plan="trial")
    send_event(cy, "Signed Up", at=UNTIL - 1 * day, plan="free")
    send_event(dee, "Signed Up", at=UNTIL - 2 * day, plan="enterprise")
    send_event(eve, "Signed Up", at=UNTIL - 3 * day, plan="free")
    send_event(eve, "Invited Teammate", at=UNTIL - 3 * day + timedelta(hours=2))
    send_event(eve, "Signed Up", at=UNTIL - 40 * day, plan="free")  # outside the window


def test_backtest_counts_entries_steps_messages_per_day_and_conversions(
    db, welcome_doc, make_contact, send_event
):
    journey_import(data=welcome_doc)
    _history(make_contact, send_event)

    result = backtest(
        journey_parse(data=welcome_doc), since=UNTIL - timedelta(days=30), until=UNTIL
    )

    assert (result.contacts_triggered, result.entered, result.not_enrolled) == (5, 4, 1)
    assert (result.converted, result.completed, result.exited) == (1, 2, 0)
    assert dict(result.reached) == {"hello": 4, "wait_upload": 4, "praise": 1, "nudge": 1, "end": 2}
    day = lambda n: (UNTIL - timedelta(days=n)).date()  # noqa: E731
    assert dict(result.messages) == {
        (day(10), "email"): 1,
        (day(10), "in_app"): 1,
        (day(5), "email"): 1,
        (day(3), "sms"): 1,
        (day(3), "email"): 1,
        (day(1), "email"): 1,
    }
    assert Enrollment.objects.count() == 0
    assert StepVisit.objects.count() == 0
    assert Message.objects.count() == 0
    assert DecisionTrace.objects.count() == 0


def test_backtest_command_prints_the_report_for_the_draft(
    db, welcome_doc, make_contact, send_event
):
    journey_import(data=welcome_doc)
    contact = make_contact("ada")
    send_event(contact, "Signed Up", plan="free")
    out = io.StringIO()

    call_command("backtest_journey", "welcome", "--days", "7", stdout=out)

    report = out.getvalue()
    assert report.startswith('Backtest of "welcome" (draft) on events from ')
    assert "Would have entered:         1\n" in report
    assert "  hello              1\n" in report
    assert "  praise             0\n" in report
    assert "email" in report.split("Messages per day:")[1]
    assert Enrollment.objects.count() == 0
