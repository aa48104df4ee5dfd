"""Three worker clusters: each kind of work is queued where its own workers take it, so a
delivery backlog never delays new events and a wake-up spike never delays either."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.db import transaction
from django_q.conf import Conf
from django_q.models import OrmQ, Schedule

from channels.delivery.queue import message_queue
from channels.models import Message
from channels.rendering import MessageContent
from journeys.models import Enrollment, Event, WorkerHeartbeat
from journeys.run.enrollments import enrollments_handle_events, enrollments_wake_due
from journeys.run.journeys import journey_import
from journeys.run.kicks import kick_event_processing
from journeys.run.schedules import ensure_schedules
from journeys.tasks import heartbeat

from .conftest import utc
from .test_time import MORNING, SATURDAY


def _queue_email(contact):
    hello = MessageContent(subject="Hi", body="Hi")
    return message_queue(contact_id=contact.pk, channel="email", content=hello, context={})


@pytest.fixture
def broker_queues(db, monkeypatch, settings):
    """The ORM broker for real (tasks become rows in its queue table), not run inline."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    OrmQ.objects.all().delete()

    def queued() -> dict[str, int]:
        counts: dict[str, int] = {}
        for key in OrmQ.objects.values_list("key", flat=True):
            counts[key] = counts.get(key, 0) + 1
        return counts

    return queued


def test_each_schedule_runs_on_its_own_cluster(db):
    Schedule.objects.create(name="journeys.sweep", func="journeys.tasks.sweep")
    ensure_schedules()

    clusters = dict(Schedule.objects.values_list("name", "cluster"))

    assert clusters["journeys.sweep_events"] == settings.Q_EVENTS_CLUSTER
    assert clusters["journeys.sweep_wakeups"] == settings.Q_WAKEUPS_CLUSTER
    assert clusters["channels.send_due_messages"] == settings.Q_DELIVERY_CLUSTER
    for cluster in settings.Q_CLUSTERS:
        assert clusters[f"heartbeat.{cluster}"] == cluster
    assert "journeys.sweep" not in clusters  # the old do-everything sweep is gone


def test_new_events_go_to_the_events_queue_and_each_channel_to_its_own_lane(
    broker_queues, make_contact, django_capture_on_commit_callbacks, settings
):
    settings.CHANNELS_QUIET_HOURS = {}
    settings.SMS_BACKEND = "console"
    kick_event_processing()
    ada = make_contact("ada", phone="+14155550100")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        _queue_email(ada)
        _queue_email(ada)
        message_queue(
            contact_id=ada.pk, channel="sms", content=MessageContent(body="Hi"), context={}
        )
        line = message_queue(
            contact_id=ada.pk, channel="in_app", content=MessageContent(body="Hi"), context={}
        )

    lanes = settings.Q_CHANNEL_LANES
    # Two emails share one task; the in-app line needed none: it was written right there.
    assert broker_queues() == {settings.Q_EVENTS_CLUSTER: 1, lanes["email"]: 1, lanes["sms"]: 1}
    assert line.status == "delivered"


def test_a_broken_broker_does_not_refuse_events_or_lose_messages(
    monkeypatch, make_contact, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise ConnectionError("broker down")

    monkeypatch.setattr("journeys.run.kicks.async_task", broken)
    monkeypatch.setattr("channels.delivery.dispatch.async_task", broken)
    kick_event_processing()  # no exception: the events are stored, the sweep catches up
    ada = make_contact("ada")
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        queued = _queue_email(ada)

    assert (
        Message.objects.get(pk=queued.message_id).status == "queued"
    )  # the delivery sweep sends it once the broker is back


def test_the_wakeup_sweep_stops_at_its_deadline_and_the_next_sweep_goes_on(
    make_contact, send_event
):
    journey_import(data=MORNING, publish=True)
    contacts = [make_contact(f"user{n}") for n in range(5)]
    for contact in contacts:
        send_event(contact, "Signed Up", at=SATURDAY)
    with transaction.atomic():
        enrollments_handle_events(events=list(Event.objects.all()), now=SATURDAY)
    later = utc(2026, 3, 9, 12, 0)

    first = enrollments_wake_due(now=later, batch_size=2, deadline=time.monotonic() - 1)
    rest = enrollments_wake_due(now=later, batch_size=2)

    assert (first, rest) == (2, 3)
    assert Enrollment.objects.filter(state="completed").count() == 5


def test_heartbeat_records_the_cluster_that_ran_it(db, monkeypatch):
    monkeypatch.setattr(Conf, "CLUSTER_NAME", settings.Q_WAKEUPS_CLUSTER)
    heartbeat()
    heartbeat()

    beat = WorkerHeartbeat.objects.get()
    assert beat.cluster == settings.Q_WAKEUPS_CLUSTER
