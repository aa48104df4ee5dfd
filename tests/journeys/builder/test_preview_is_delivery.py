"""The preview is the delivery, and the checks know it: for journeys and events made up by
Hypothesis, the builder's preview as a contact shows the text delivery renders for them,
and the checks warn about a step exactly when delivery leaves a value there missing or
empty for someone who reached it."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.delivery.queue import preview_context, render_preview
from channels.delivery.sending import outbound_for
from channels.models import Message
from channels.rendering import MessageContent, RenderError
from journeys.builder.reach import preview_events, reach_names
from journeys.builder.workspace import checks_for
from journeys.core.scope import variable
from journeys.models import Contact, Event, StepVisit
from journeys.people.catalogue import catalogue_record
from journeys.people.sources import source_create
from journeys.run.enrollments import enrollments_handle_events, enrollments_wake_due
from journeys.run.journeys import journey_import
from journeys.run.selectors import version_info
from tests.journeys.core.helpers import T0

KEYS = ["plan", "link"]
NEWEST = "(the newest)"  # written {{ event.… }}: the newest event in reach
_ids = itertools.count()
properties = st.dictionaries(st.sampled_from(KEYS), st.sampled_from(["pro", "https://x.io"]))
variables = st.tuples(
    st.sampled_from([NEWEST, "Signed Up", "Uploaded File"]),
    st.sampled_from(KEYS),
    st.sampled_from(["", "there"]),
)


@pytest.fixture
def source(db):
    created, _key = source_create(name="Product")
    return created


class _Rollback(Exception):
    """Undoes one example's rows."""


def _doc(body: str, lanes: bool) -> dict:
    def say(step_id: str, **extra: object) -> dict:
        variants = [{"name": "A", "body": body}]
        return {"id": step_id, "type": "message", "channel": "in_app", "variants": variants}

    wait = {"id": "Wait", "type": "wait_for_event", "event": "Uploaded File", "timeout": "P1D"}
    steps = [say("First"), wait, say("Nudge")]
    if lanes:
        wait["on_timeout"] = "Late"
        steps[-1]["next"] = "End"
        steps += [say("Late"), {"id": "End", "type": "exit"}]
    return {"format": "stepwise.journey/1", "key": f"p{next(_ids)}", "name": "Onboarding",
            "trigger": {"event": "Signed Up"}, "steps": steps}  # fmt: skip


def _send(contact: Contact, name: str, minutes: int, props: dict) -> Event:
    at = T0 + timedelta(minutes=minutes)
    event = Event.objects.create(
        source=contact.source, contact=contact, name=name, properties=props,
        message_id=f"e{next(_ids)}", timestamp=at, received_at=at,
    )  # fmt: skip
    enrollments_handle_events(events=[event], now=at)
    return event


def _delivered(message: Message) -> str:
    outbound = outbound_for(message)
    return "" if isinstance(outbound, RenderError) else outbound.rendered.text


def _previewed(journey, step: str, body: str, contact: Contact) -> str:
    seen, _ = preview_events(reach_names(journey.draft_spec, step), contact.pk)
    meta = {"name": journey.name}
    context = preview_context(contact_id=contact.pk, journey=meta, **seen)
    rendered = render_preview("in_app", MessageContent(body=body), context)
    return "" if rendered.problems else rendered.text


def _run(source, used, lanes, started, done):
    owner, key, fallback = used
    body = "[" + variable(owner, key, fallback) + "]"
    body = body.replace(f'events["{NEWEST}"]', "event")
    journey = journey_import(data=_doc(body, lanes), publish=True)
    people = {}
    for who in ("ada", "bob"):
        people[who] = Contact.objects.create(
            user_id=f"{who}{next(_ids)}", source=source, first_seen_at=T0, last_seen_at=T0
        )
    sent = [_send(people["ada"], "Signed Up", 0, started)]
    sent.append(_send(people["bob"], "Signed Up", 0, started))
    sent.append(_send(people["ada"], "Uploaded File", 60, done))
    catalogue_record(events=sent, identified_contact_ids={c.pk for c in people.values()})
    enrollments_wake_due(now=T0 + timedelta(days=2))
    pairs, gaps = [], set()
    steps = dict(StepVisit.objects.values_list("pk", "step__key"))
    for message in Message.objects.filter(is_test=False).select_related("contact"):
        step = steps[message.step_visit_id]
        delivered = _delivered(message)
        pairs.append((delivered, _previewed(journey, step, body, message.contact)))
        if delivered in ("", "[]"):
            gaps.add(step)
    warned = {c.step for c in checks_for(journey) if c.what.startswith(f"Uses “{key}”")}
    return pairs, gaps, warned


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(used=variables, lanes=st.booleans(), started=properties, done=properties)
def test_the_preview_is_what_is_delivered_and_the_checks_warn_exactly_at_gaps(
    source, used, lanes, started, done
):
    version_info.cache_clear()  # the rolled-back rows' ids come again with other journeys
    try:
        with transaction.atomic():
            pairs, gaps, warned = _run(source, used, lanes, started, done)
            raise _Rollback
    except _Rollback:
        pass

    assert [previewed for _, previewed in pairs] == [delivered for delivered, _ in pairs]
    assert warned == gaps
