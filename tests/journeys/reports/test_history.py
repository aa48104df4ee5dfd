"""Report history through the real worker: the path actually taken, holdouts that
convert, assignments for every arm and variant, conversions after leaving, visits closed
on every way out, and counters that equal a recount from the raw rows."""

from __future__ import annotations

import io
import itertools
import os
from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from journeys.models import Assignment, Conversion, Enrollment, Journey, ReportCount, StepVisit
from journeys.reports.recount import recount, stored
from journeys.run.contacts import contact_merge
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.journeys import journey_archive
from journeys.run.retention import retention_purge


def _keys(enrollment):
    return [v.step.key for v in StepVisit.objects.filter(enrollment=enrollment).order_by("seq")]


def test_a_holdout_is_assigned_completes_at_once_and_still_converts(
    trial, contact_on_path, send_event, run_worker
):
    ada = contact_on_path(1)
    send_event(ada, "Signed Up")
    run_worker()
    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.state == "completed"
    assert _keys(enrollment) == ["holdout", "end"]
    assert enrollment.furthest_position == 1  # two steps reached, not every step up to "end"
    assignment = Assignment.objects.get(enrollment=enrollment)
    assert (assignment.arm, assignment.holdout) == ("path 2", True)

    send_event(ada, "Invited Teammate", at=timezone.now() + timedelta(hours=5), count=2)
    run_worker()

    conversion = Conversion.objects.get(enrollment=enrollment)
    assert 5 * 3600 - 60 <= conversion.seconds <= 5 * 3600 + 60
    assert stored() == recount()


def test_the_goal_needs_its_conditions_and_window_even_after_leaving(
    trial, contact_on_path, send_event, run_worker
):
    bob = contact_on_path(0)
    send_event(bob, "Signed Up")
    run_worker()
    send_event(bob, "Account Deleted")
    run_worker()
    assert Enrollment.objects.get(contact=bob).state == "exited"
    send_event(bob, "Invited Teammate", count=0)  # the goal's condition does not hold
    send_event(bob, "Invited Teammate", at=timezone.now() + timedelta(days=8), count=1)  # late
    run_worker()
    assert not Conversion.objects.exists()
    send_event(bob, "Invited Teammate", at=timezone.now() + timedelta(days=1), count=1)
    run_worker()
    assert Conversion.objects.count() == 1
    assert stored() == recount()


def test_variants_and_paths_each_get_one_assignment_and_the_branch_skips_praise(
    trial, contact_on_path, send_event, run_worker
):
    pro = contact_on_path(0, traits={"plan": "pro"})
    send_event(pro, "Signed Up")
    run_worker()
    send_event(pro, "Uploaded File")
    run_worker()
    enrollment = Enrollment.objects.get(contact=pro)
    assert _keys(enrollment) == ["holdout", "welcome", "wait_upload", "pro", "end"]
    arms = dict(Assignment.objects.filter(enrollment=enrollment).values_list("step__key", "arm"))
    assert arms["holdout"] == "path 1"
    assert arms["welcome"] in {"A", "B"}
    assert set(arms) == {"holdout", "welcome"}
    assert enrollment.furthest_position == 4
    assert stored() == recount()


def test_archive_merge_and_erasure_close_the_open_visits(
    trial, contact_on_path, make_contact, send_event, run_worker
):
    one, two, three = (contact_on_path(0, prefix=p) for p in ("one", "two", "three"))
    for contact in (one, two, three):
        send_event(contact, "Signed Up")
    run_worker()
    contact_merge(source=two, into=three)  # both waiting: the anonymous trip ends
    assert StepVisit.objects.filter(left_at__isnull=True).count() == 2
    assert stored() == recount()
    journey_archive(journey=trial)
    assert not StepVisit.objects.filter(left_at__isnull=True).exists()
    assert set(
        StepVisit.objects.filter(step__key="wait_upload").values_list("outcome", flat=True)
    ) == {
        "merged",
        "archived",
    }
    # A goal after the journey ended still converts.
    send_event(one, "Invited Teammate", count=1)
    run_worker()
    assert Conversion.objects.filter(enrollment__contact=one).count() == 1
    assert stored() == recount()


def test_retention_keeps_what_reports_count(trial, contact_on_path, send_event, run_worker):
    ada = contact_on_path(0)
    send_event(ada, "Signed Up")
    run_worker()
    send_event(ada, "Invited Teammate", count=3)
    run_worker()
    before = stored()
    retention_purge(now=timezone.now() + timedelta(days=400))
    assert recount() == before == stored()
    assert Conversion.objects.count() == 1


EVENTS = ["Signed Up", "Uploaded File", "Invited Teammate", "Account Deleted", "Page Viewed"]
_runs = itertools.count()
actions = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(EVENTS), st.integers(0, 2)),
    st.tuples(st.just("worker"), st.none(), st.none()),
    st.tuples(st.just("time"), st.integers(1, 60), st.none()),
    st.tuples(st.just("merge"), st.none(), st.none()),
)


@settings(
    max_examples=int(os.environ.get("STEPWISE_EXAMPLES", "25")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(stream=st.lists(actions, min_size=1, max_size=16), archive=st.booleans())
def test_random_streams_keep_every_counter_equal_to_a_recount(
    trial, make_contact, send_event, run_worker, stream, archive
):
    run = next(_runs)
    contacts = [
        make_contact(f"p{run}x{i}", traits={"plan": "pro" if i else "free"}) for i in range(3)
    ]
    clock = timezone.now()
    for kind, value, who in stream:
        if kind == "event":
            contact = contacts[who % len(contacts)]
            send_event(contact, value, at=clock, count=who)
        elif kind == "worker":
            run_worker()
        elif kind == "time":
            clock += timedelta(hours=value)
            run_worker()
            enrollments_wake_due(now=clock)
        elif len(contacts) > 1:
            contact_merge(source=contacts.pop(), into=contacts[0])
        assert stored() == recount()
    run_worker()
    if archive:
        journey_archive(journey=trial)
        assert stored() == recount()
        Journey.objects.filter(pk=trial.pk).update(status="live")  # for the next example
    assert stored() == recount()


def test_reports_rebuild_recounts_lost_counters(trial, contact_on_path, send_event, run_worker):
    ada = contact_on_path(0)
    send_event(ada, "Signed Up")
    run_worker()
    before = stored()
    ReportCount.objects.all().delete()
    call_command("reports_rebuild", stdout=io.StringIO())
    assert stored() == before == recount()
