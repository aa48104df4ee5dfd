"""Retention: old raw events and traces go; what reports read stays."""

from __future__ import annotations

import io
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone

from journeys.models import DecisionTrace, Enrollment, Event, EventType, StepVisit
from journeys.run.retention import retention_purge


def test_purge_deletes_old_processed_events_and_traces_and_keeps_aggregates(
    live_welcome, make_contact, send_event, run_worker, settings
):
    settings.EVENT_RETENTION_DAYS = 30
    settings.TRACE_RETENTION_DAYS = 60
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    traces = DecisionTrace.objects.count()
    later = timezone.now() + timedelta(days=45)
    fresh = send_event(ada, "Uploaded File", at=later - timedelta(days=1), filename="x.pdf")
    fresh.processed_at = None
    pending_old = send_event(make_contact("bob"), "Signed Up", at=later - timedelta(days=40))

    result = retention_purge(now=later)

    assert (result.events, result.traces) == (1, 0)
    assert set(Event.objects.values_list("pk", flat=True)) == {fresh.pk, pending_old.pk}
    assert DecisionTrace.objects.count() == traces
    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.last_event_id is None
    assert enrollment.last_event_data["name"] == "Signed Up"
    assert StepVisit.objects.filter(enrollment=enrollment).count() == 2
    assert EventType.objects.get(name="Signed Up").count == 1

    result = retention_purge(now=later + timedelta(days=30))

    assert result.traces == traces
    assert DecisionTrace.objects.count() == 0
    assert StepVisit.objects.filter(enrollment=enrollment).count() == 2


def test_purge_events_command_reports_counts(db):
    out = io.StringIO()

    call_command("purge_events", "--event-days", "7", "--trace-days", "7", stdout=out)

    assert out.getvalue().startswith("Purged 0 events received before ")
    assert ", 0 traces before " in out.getvalue()
    assert "and 0 provider webhook events already applied." in out.getvalue()
