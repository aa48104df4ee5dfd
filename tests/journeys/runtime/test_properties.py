"""Random event streams through the real worker and database: no duplicate message, no
second enrollment under re-entry "never", and nothing moves a finished enrollment."""

from __future__ import annotations

import itertools
from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Message
from journeys.models import Enrollment, StepVisit
from journeys.run.enrollments import enrollments_wake_due

EVENTS = ["Signed Up", "Uploaded File", "Invited Teammate", "Account Deleted", "Page Viewed"]
_runs = itertools.count()

# One step of a stream: an event (name, plan), a worker run, or time passing (hours).
steps = st.one_of(
    st.tuples(st.just("event"), st.sampled_from(EVENTS), st.sampled_from(["free", "enterprise"])),
    st.tuples(st.just("worker"), st.none(), st.none()),
    st.tuples(st.just("time"), st.integers(min_value=1, max_value=72), st.none()),
)


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(stream=st.lists(steps, min_size=1, max_size=14))
def test_random_streams_keep_the_engine_invariants(
    live_welcome, make_contact, send_event, run_worker, stream
):
    contact = make_contact(f"prop{next(_runs)}")
    clock = timezone.now()
    finished: dict[int, tuple] = {}

    for kind, value, plan in stream:
        if kind == "event":
            send_event(contact, value, at=clock, plan=plan)
        elif kind == "worker":
            run_worker()
        else:
            clock += timedelta(hours=value)
            enrollments_wake_due(now=clock)
        for row in Enrollment.objects.filter(contact=contact):
            state = (row.state, row.step_key, row.revision, row.visit_count)
            assert finished.get(row.pk, state) == state  # a finished enrollment never moves
            if not row.is_open:
                finished[row.pk] = state
    run_worker()

    messages = Message.objects.filter(contact=contact)
    visits = StepVisit.objects.filter(enrollment__contact=contact)
    duplicated = messages.values("step_visit_id").annotate(n=Count("id")).filter(n__gt=1)
    assert list(duplicated) == []
    assert messages.count() == visits.filter(step__type="message").count()
    assert Enrollment.objects.filter(contact=contact).count() <= 1  # re-entry is "never"
