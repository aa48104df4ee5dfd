"""Breakdowns are worked out by the worker (journeys.reports.snapshots): the page shows the
latest snapshot and its age, asks for the work once, says plainly while it waits or when
the worker does not answer; the worker's figures equal a recount from raw rows."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.conf import Conf
from django_q.models import OrmQ
from django_q.signing import SignedPackage

from journeys.core.trigger_copy import trigger_copy
from journeys.models import BreakdownSnapshot, Conversion, Enrollment, Event, StepVisit
from journeys.reports.breakdown import NOT_SET, OTHER, TOP, Slice, breakdown_table, read_by
from journeys.reports.selectors import Filter
from journeys.reports.snapshots import LOST, breakdown_recount
from journeys.templatetags.staff import staff_date

PAGE = "/admin/reports/trial/"
PLANS = ["free"] * 5 + ["team"] * 4 + ["pro"] * 3 + ["edu", "gov", "npo", "max", "min"]


@pytest.fixture
def broker(db, monkeypatch, settings):
    """The ORM broker for real: a queued breakdown is a row, run when the test says."""
    monkeypatch.setattr(Conf, "SYNC", False)
    monkeypatch.setattr(Conf, "ORM", "default")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    OrmQ.objects.all().delete()

    def queued() -> list[dict]:
        return [
            SignedPackage.loads(row.payload)
            for row in OrmQ.objects.filter(key=settings.Q_WAKEUPS_CLUSTER)
        ]

    def work() -> int:
        """What a wake-ups worker does: take each queued task and run it."""
        tasks = queued()
        OrmQ.objects.filter(key=settings.Q_WAKEUPS_CLUSTER).delete()
        for task in tasks:
            import_string(task["func"])(*task["args"], **task["kwargs"])
        return len(tasks)

    queued.work = work  # type: ignore[attr-defined]
    return queued


def _viewer(client: Client) -> Client:
    user, _ = User.objects.get_or_create(username="manager", defaults={"is_staff": True})
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    return client


@pytest.fixture
def crowd(trial, make_contact, send_event, run_worker):
    """22 entrants: 17 plans (7 names with fewer than the top six pooled into "Other"),
    five without one; devices on the trigger event; a third reach the goal."""
    contacts = []
    for index in range(22):
        traits = {"plan": PLANS[index]} if index < len(PLANS) else {}
        contact = make_contact(f"p{index}", traits=traits)
        device = ["web", "ios", "android", "tv"][index % 4] if index % 7 else None
        extra = {"device": device} if device else {}
        send_event(contact, "Signed Up", size=index, **extra)
        contacts.append(contact)
    run_worker()
    for contact in contacts[::3]:
        send_event(contact, "Invited Teammate", count=1)
    run_worker()
    return trial


def _html(client: Client, path: str) -> str:
    return client.get(path).content.decode()


def test_the_first_request_queues_the_work_once_and_the_page_says_it_is_coming(
    crowd, broker, client
):
    viewer = _viewer(client)
    html = _html(viewer, PAGE + "?by=trait:plan")
    assert "Working out these figures in the background" in html
    assert 'hx-trigger="every 2s"' in html  # it checks again by itself
    assert "Conversion by Plan (contact trait)" not in html
    _html(viewer, PAGE + "?by=trait:plan")
    assert len(broker()) == 1
    assert broker.work() == 1
    html = _html(viewer, PAGE + "?by=trait:plan")
    snapshot = BreakdownSnapshot.objects.get()
    assert f"Figures as of {staff_date(snapshot.computed_at)}" in html
    assert "every 5 minutes" in html
    assert "hx-trigger" not in html.split('id="breakdown"')[1].split(">")[0]
    assert '<th scope="row">free</th><td>5</td>' in html
    assert broker() == []  # fresh: nothing more to do


def test_the_page_shows_the_snapshot_not_the_rows(crowd, broker, client):
    viewer = _viewer(client)
    _html(viewer, PAGE + "?by=trait:plan")
    broker.work()
    BreakdownSnapshot.objects.update(
        rows=[{"label": "enterprise", "entered": 40, "count": 10, "reached": {"welcome": 30}}]
    )
    html = _html(viewer, PAGE + "?by=trait:plan")
    assert '<th scope="row">enterprise</th><td>40</td><td>10</td><td>25 %</td>' in html
    assert "free" not in html.split("Conversion by Plan (contact trait)")[1].split("</table>")[0]
    reach = html.split("The funnel by Plan (contact trait)")[1].split("</table>")[0]
    assert "<td>75 %</td>" in reach  # 30 of 40 reached the welcome
    sheet = viewer.get(PAGE.replace("/trial/", "/trial/breakdown.csv") + "?by=trait:plan")
    lines = sheet.content.decode().splitlines()
    assert lines[0].startswith("Plan (contact trait),Entered,Converted,Conversion rate,")
    assert lines[1].startswith("enterprise,40,10,0.25,")


def test_an_old_snapshot_is_shown_with_its_age_while_newer_figures_are_worked_out(
    crowd, broker, client
):
    viewer = _viewer(client)
    _html(viewer, PAGE + "?by=trait:plan")
    broker.work()
    old = timezone.now() - timedelta(minutes=6)
    BreakdownSnapshot.objects.update(computed_at=old, requested_at=old)
    html = _html(viewer, PAGE + "?by=trait:plan")
    assert f"Figures as of {staff_date(old)}" in html
    assert "newer figures are on their way" in html
    assert '<th scope="row">free</th><td>5</td>' in html
    assert len(broker()) == 1
    broker.work()
    assert BreakdownSnapshot.objects.get().computed_at > old


def test_a_costly_breakdown_is_worked_out_less_often(crowd, broker, client):
    viewer = _viewer(client)
    _html(viewer, PAGE + "?by=trait:plan")
    broker.work()
    old = timezone.now() - timedelta(minutes=6)
    BreakdownSnapshot.objects.update(computed_at=old, requested_at=old, seconds=60)
    html = _html(viewer, PAGE + "?by=trait:plan")  # ten minutes for a one-minute task
    assert "every 10 minutes" in html
    assert "newer figures are on their way" not in html
    assert broker() == []


def test_a_worker_that_does_not_answer_is_said_plainly_and_asked_again_later(crowd, broker, client):
    viewer = _viewer(client)
    _html(viewer, PAGE + "?by=trait:plan")
    OrmQ.objects.all().delete()  # the worker never takes it
    BreakdownSnapshot.objects.update(requested_at=timezone.now() - timedelta(minutes=2))
    html = _html(viewer, PAGE + "?by=trait:plan")
    assert "has not answered: it may be stopped or very busy" in html
    assert 'hx-trigger="every 10s"' in html
    assert broker() == []  # not queued again yet: it may still be on its way
    BreakdownSnapshot.objects.update(requested_at=timezone.now() - LOST - timedelta(minutes=1))
    _html(viewer, PAGE + "?by=trait:plan")
    assert len(broker()) == 1


@pytest.mark.django_db(transaction=True)
def test_two_requests_at_the_same_moment_queue_the_work_once(
    trial, make_contact, send_event, run_worker, broker
):
    for index in range(4):
        send_event(make_contact(f"c{index}", traits={"plan": "pro"}), "Signed Up")
    run_worker()
    # A transactional test that ran before this one emptied the tables the migrations
    # filled (the staff groups among them): a superuser needs none.
    User.objects.create_superuser("owner", "owner@example.com", "pw")
    start = threading.Barrier(2)
    statuses: list[int] = []

    def ask() -> None:
        from django.db import connection  # noqa: PLC0415 - each thread has its own

        try:
            viewer = Client()
            viewer.force_login(User.objects.get(username="owner"))
            start.wait(timeout=30)
            statuses.append(viewer.get(PAGE + "?by=trait:plan").status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=ask) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert statuses == [200, 200]
    assert len(broker()) == 1
    assert BreakdownSnapshot.objects.count() == 1


def _recount(journey, value_of) -> tuple[list[Slice], dict[str, Counter]]:
    """Independently of the queries: per enrollment its value, conversion and steps, then
    the top six values by entrants (ties by name), "Other", "Not set"."""
    entered: Counter = Counter()
    converted: Counter = Counter()
    steps: dict[str, Counter] = {}
    converted_ids = set(Conversion.objects.values_list("enrollment_id", flat=True))
    for enrollment in Enrollment.objects.filter(journey=journey).select_related("contact"):
        value = value_of(enrollment)
        value = "" if value is None else str(value)
        entered[value] += 1
        converted[value] += enrollment.pk in converted_ids
        visited = set(
            StepVisit.objects.filter(enrollment=enrollment).values_list("step__key", flat=True)
        )
        steps.setdefault(value, Counter()).update(visited)
    named = sorted((v for v in entered if v), key=lambda v: (-entered[v], v.casefold()))
    groups = {v: v for v in named[:TOP]} | {v: OTHER for v in named[TOP:]} | {"": NOT_SET}
    found: dict[str, list] = {}
    for value, label in groups.items():
        if entered[value]:
            row = found.setdefault(label, [0, 0, Counter()])
            row[0] += entered[value]
            row[1] += converted[value]
            row[2].update(steps[value])
    order = [*named[:TOP], OTHER, NOT_SET]
    slices = [Slice(label, found[label][0], found[label][1]) for label in order if label in found]
    return slices, {label: found[label][2] for label in found}


def test_the_workers_figures_equal_a_recount_from_raw_rows(crowd, broker, client):
    expected, reached = _recount(crowd, lambda e: e.contact.traits.get("plan"))
    assert [s.label for s in expected][-2:] == [OTHER, NOT_SET]
    by = read_by("trait:plan")
    rows = breakdown_recount(crowd, by, Filter())
    assert [(r["label"], r["entered"], r["count"]) for r in rows] == [
        (s.label, s.entered, s.count) for s in expected
    ]
    assert {r["label"]: Counter(r["reached"]) for r in rows} == reached
    viewer = _viewer(client)
    _html(viewer, PAGE + "?by=trait:plan")
    broker.work()
    html = _html(viewer, PAGE + "?by=trait:plan")
    _, shown_rows = breakdown_table(expected, by=by, measure="conversion")
    for label, entered, count, rate, interval in shown_rows:  # the intervals the page shows
        cells = f"<td>{entered}</td><td>{count}</td><td>{rate}</td><td>{interval}</td>"
        assert f'<th scope="row">{label}</th>{cells}' in html


def test_a_trigger_property_breakdown_reads_the_copy_even_once_events_are_purged(crowd, broker):
    trigger = {e.contact_id: e.properties for e in Event.objects.filter(name="Signed Up")}
    expected, reached = _recount(crowd, lambda e: trigger[e.contact_id].get("device"))
    for enrollment in Enrollment.objects.all():
        assert enrollment.trigger_data == trigger_copy(trigger[enrollment.contact_id])
    Event.objects.all().delete()  # retention purged the raw events
    rows = breakdown_recount(crowd, read_by("event:device"), Filter())
    assert [(r["label"], r["entered"], r["count"]) for r in rows] == [
        (s.label, s.entered, s.count) for s in expected
    ]
    assert {r["label"]: Counter(r["reached"]) for r in rows} == reached


def test_trips_that_entered_before_the_copy_still_count_by_their_trigger_event(crowd, broker):
    expected = breakdown_recount(crowd, read_by("event:device"), Filter())
    older = Enrollment.objects.order_by("pk")[:10].values_list("pk", flat=True)
    assert Enrollment.objects.filter(pk__in=list(older)).update(trigger_data=None) == 10
    assert breakdown_recount(crowd, read_by("event:device"), Filter()) == expected


def test_the_copy_keeps_scalars_only_trimmed():
    long = {f"k{n}": n for n in range(40)}
    assert len(trigger_copy(long)) == 30
    kept = trigger_copy(
        {"plan": "p" * 200, "n": 3, "ok": True, "tags": ["a"], "meta": {"a": 1}, "x": None}
    )
    assert kept == {"plan": "p" * 80, "n": 3, "ok": True}
    assert trigger_copy(None) == {}


def test_a_breakdown_download_waits_for_its_figures(crowd, broker, client):
    viewer = _viewer(client)
    answer = viewer.get("/admin/reports/trial/breakdown.xlsx?by=trait:plan")
    assert answer.status_code == 409
    assert "still being worked out" in answer.content.decode()
    broker.work()
    answer = viewer.get("/admin/reports/trial/breakdown.xlsx?by=trait:plan")
    assert answer.status_code == 200
    assert settings.Q_WAKEUPS_CLUSTER.endswith("wakeups")


def test_erasing_a_contact_empties_what_their_trigger_event_said(crowd):
    from journeys.run.privacy import contact_erase  # noqa: PLC0415

    enrollment = Enrollment.objects.filter(trigger_data__has_key="device").first()
    assert enrollment is not None
    contact_erase(contact=enrollment.contact)
    enrollment.refresh_from_db()
    assert enrollment.trigger_data == {}
