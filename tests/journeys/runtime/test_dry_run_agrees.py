"""A dry run and a real run route events alike and fold decisions through the same reducer:
the simulator refuses what the worker refuses, and random event streams give the same
trace and the same messages through both."""

from __future__ import annotations

import itertools
import json
from datetime import timedelta
from pathlib import Path

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.models import Message
from journeys.core.format import parse_journey
from journeys.core.simulate import ScriptEvent, simulate
from journeys.models import (
    Contact,
    DecisionTrace,
    Enrollment,
    Event,
    MessageVariant,
    StepVisit,
)
from journeys.run.engine_views import contact_view
from journeys.run.enrollments import enrollments_handle_events, enrollments_wake_due
from journeys.run.journeys import journey_import
from tests.journeys.core.helpers import T0, journey_doc

BAD_TRAITS = journey_doc(
    [
        {"id": "tag", "type": "update_contact", "set": {"email": "not an email", "plan": "pro"}},
        {
            "id": "hello",
            "type": "message",
            "channel": "in_app",
            "variants": [{"body": "Plan: {{ contact.plan | default: 'none' }}"}],
        },
        {"id": "end", "type": "exit"},
    ]
)
REFUSED = "Traits not updated: traits.email: is not a valid email address."


def test_the_worker_refuses_traits_the_event_api_would_refuse(
    db, make_contact, send_event, run_worker
):
    journey_import(data=BAD_TRAITS, publish=True)
    ada = make_contact("ada")
    send_event(ada, "Signed Up")

    run_worker()

    ada.refresh_from_db()
    refused = DecisionTrace.objects.get(contact=ada, code="traits.refused")
    assert (ada.email, ada.traits) == ("ada@example.com", {})
    assert refused.message == REFUSED
    assert Message.objects.get().channel == "in_app"


def test_the_simulator_refuses_the_same_traits(db, make_contact):
    ada = make_contact("ada")

    result = simulate(
        parse_journey(BAD_TRAITS),
        contact=contact_view(ada),
        script=[ScriptEvent(T0, "Signed Up")],
        start=T0,
    )

    assert result.final is not None
    assert result.final.contact.traits == {"email": "ada@example.com", "first_name": "Ada"}
    assert ("refused", REFUSED) in [(entry.kind, entry.text) for entry in result.entries]
    assert "update" not in [entry.kind for entry in result.entries]
    assert [s.step_id for s in result.sent] == ["hello"]


_MAIL = [{"name": "A", "subject": "Hi", "body": "a"}, {"name": "B", "subject": "Yo", "body": "b"}]
LOOPS = journey_doc(
    [
        {"id": "tag", "type": "update_contact", "set": {"stage": "new"}},
        {"id": "oops", "type": "update_contact", "set": {"timezone": "Mars/Olympus"}},
        {
            "id": "ab",
            "type": "split",
            "paths": [{"percent": 50, "next": "mail"}, {"percent": 50, "next": "note"}],
        },
        {"id": "mail", "type": "message", "channel": "email", "next": "wait", "variants": _MAIL},
        {"id": "note", "type": "message", "channel": "in_app", "variants": [{"body": "Hi"}]},
        {
            "id": "wait",
            "type": "wait_for_event",
            "event": "Uploaded File",
            "timeout": "PT6H",
            "on_timeout": "nag",
        },
        {
            "id": "check",
            "type": "branch",
            "conditions": [{"trait": "stage", "op": "eq", "value": "new"}],
            "then": "praise",
            "else": "sleep",
        },
        {"id": "praise", "type": "message", "channel": "in_app", "variants": [{"body": "Ok"}]},
        {"id": "sleep", "type": "delay", "until": {"time": "09:00"}, "next": "end"},
        {"id": "nag", "type": "message", "channel": "sms", "variants": [{"body": "Upload?"}]},
        {"id": "mark", "type": "update_contact", "set": {"stage": "nagged"}, "next": "wait"},
        {"id": "end", "type": "exit"},
    ],
    key="loops",
    reentry="after_exit",
    goal={"event": "Invited Teammate", "within": "P3D"},
    exit=[{"event": "Account Deleted"}],
)
WELCOME = json.loads((Path(__file__).parent / "welcome.json").read_text())
NAMES = ["Signed Up", "Uploaded File", "Invited Teammate", "Account Deleted", "Page Viewed"]
_contacts = itertools.count()
# How long both runs go on after the last event (the nag loop would wake every 6 hours).
HORIZON = timedelta(days=2)

# One event of a stream: its name, the plan it carries, and the minutes since the last one.
stream_events = st.tuples(
    st.sampled_from(NAMES),
    st.sampled_from(["free", "enterprise"]),
    st.integers(min_value=1, max_value=3 * 24 * 60),
)


class _Rollback(Exception):
    """Undoes one example's rows, so each example starts from the same database."""


def _real_run(contact_row, stream):
    """The stream through the worker's services, at the same instants as the dry run."""
    source = contact_row.source
    at = T0
    for position, (name, plan, minutes) in enumerate(stream):
        at += timedelta(minutes=minutes)
        _wake_until(contact_row, at)
        event = Event.objects.create(
            source=source, contact=contact_row, name=name, properties={"plan": plan},
            message_id=f"p-{contact_row.pk}-{position}", timestamp=at, received_at=at,
        )  # fmt: skip
        with transaction.atomic():
            enrollments_handle_events(events=[event], now=at)
    _wake_until(contact_row, at + HORIZON)


def _wake_until(contact_row, limit):
    """Due wake-ups in order, each at its own instant (as the simulator fires them)."""
    while True:
        due = (
            Enrollment.objects.filter(contact=contact_row, state="waiting", wake_at__lte=limit)
            .order_by("wake_at")
            .values_list("wake_at", flat=True)
            .first()
        )
        if due is None:
            return
        enrollments_wake_due(now=due)


def _stored_traces(contact_row):
    """The engine's explanations as stored, without the outbox's lines about delivery."""
    rows = DecisionTrace.objects.filter(contact=contact_row).order_by("id")
    lines = [[(line["code"], line["message"]) for line in row.data["lines"]] for row in rows]
    kept = [[pair for pair in row if not pair[0].startswith("message.")] for row in lines]
    return [row for row in kept if row]


def _stored_messages(contact_row):
    steps = dict(StepVisit.objects.values_list("pk", "step__key"))
    variants = dict(MessageVariant.objects.values_list("pk", "name"))
    return [
        (steps[m.step_visit_id], m.channel, variants[m.variant_id])
        for m in Message.objects.filter(contact=contact_row).order_by("pk")
    ]


@pytest.fixture(params=[WELCOME, LOOPS], ids=["welcome", "loops"])
def live_doc(request, db):
    """One journey live for the whole test; each example rolls back only its own rows."""
    journey_import(data=request.param, publish=True)
    return request.param


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stream=st.lists(stream_events, min_size=1, max_size=10))
def test_random_streams_give_the_same_trace_and_messages_in_a_dry_run_and_a_real_run(
    source, live_doc, stream
):
    spec = parse_journey(live_doc)
    try:
        with transaction.atomic():
            ada = Contact.objects.create(
                user_id=f"dry{next(_contacts)}", source=source, email="ada@example.com",
                first_name="Ada", first_seen_at=T0, last_seen_at=T0,
            )  # fmt: skip
            dry = simulate(
                spec,
                contact=contact_view(ada),
                script=_script(stream),
                start=T0,
                horizon=HORIZON,
            )
            _real_run(ada, stream)
            stored_traces, stored_messages = _stored_traces(ada), _stored_messages(ada)
            states = list(
                Enrollment.objects.filter(contact=ada)
                .order_by("pk")
                .values_list("state", flat=True)
            )
            raise _Rollback
    except _Rollback:
        pass

    assert stored_traces == [[(line.code, line.message) for line in trace] for trace in dry.traces]
    assert stored_messages == [(s.step_id, s.channel, s.variant_name) for s in dry.sent]
    assert len(states) == dry.enrollments
    assert states[-1:] == ([dry.final.state] if dry.final is not None else [])


def _script(stream):
    at, script = T0, []
    for name, plan, minutes in stream:
        at += timedelta(minutes=minutes)
        script.append(ScriptEvent(at, name, {"plan": plan}))
    return script
