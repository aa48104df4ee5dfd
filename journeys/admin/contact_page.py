"""The contact's page for staff, in plain words: where the person is in each journey (as a
sentence), the messages they got, why the engine did what it did (each line once), their
traits, subscriptions and recent events. Reads only."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from channels.delivery.history import MessageLine, contact_messages
from channels.delivery.messages import contact_zone
from channels.registry import all_channels
from journeys.admin.why_words import trace_words
from journeys.builder.names import step_name
from journeys.core.problems import SpecError
from journeys.core.spec import JourneySpec
from journeys.core.steps.base import step_names
from journeys.core.zones import zone_words
from journeys.models import (
    Contact,
    ContactProblem,
    DecisionTrace,
    Enrollment,
    Event,
    JourneyVersion,
    Subscription,
)
from journeys.run.selectors import contact_enrollments, contact_problems, version_info
from journeys.templatetags.staff import relative, staff_date, staff_when

TRACE_LIMIT = 200
EVENT_LIMIT = 50
OUTCOME_WORDS = {
    "event": "did it",
    "already performed": "had already done it",
    "timeout": "ran out of time",
    "waited": "waited",
    "then": "took the “yes” path",
    "else": "took the “no” path",
    "completed": "finished",
    "converted": "reached the goal",
    "exited": "left",
    "failed": "stopped",
    "done": "",
    "skipped": "not sent: they had already done what it asks",
}


@dataclass(frozen=True)
class Visit:
    step: str
    at: datetime
    outcome: str


@dataclass(frozen=True)
class Trip:
    """One enrollment: a sentence, the steps visited, and the explanations, each once."""

    enrollment_id: int
    journey_key: str
    sentence: str
    is_open: bool
    visits: tuple[Visit, ...]
    trace: tuple[tuple[datetime, str], ...]


@dataclass(frozen=True)
class ProblemLine:
    """What Stepwise could not do for this person: work retrying or stopped, or a message
    not sent; `label` says which ("Retrying", "Stopped", "Not sent")."""

    at: datetime
    sentence: str
    label: str


@dataclass(frozen=True)
class ContactPage:
    """Everything on the page; `zone` is the contact's, in which every time is shown."""

    contact: Contact
    name: str
    zone: ZoneInfo
    facts: tuple[tuple[str, str], ...]
    traits: tuple[tuple[str, str], ...]
    subscriptions: tuple[tuple[str, str], ...]
    trips: tuple[Trip, ...]
    messages: tuple[MessageLine, ...]
    other_trace: tuple[tuple[datetime, str, str], ...]  # decisions outside any enrollment
    problems: tuple[ProblemLine, ...]
    events: tuple[tuple[datetime, str, str], ...]


def contact_page(*, contact: Contact, now: datetime | None = None) -> ContactPage:
    now = now or timezone.now()
    zone = contact_zone(contact)
    enrollments = contact_enrollments(contact_id=contact.pk)
    messages = tuple(contact_messages(contact_id=contact.pk))
    sent = {line.step_visit_id: line for line in messages if line.step_visit_id}
    traces = list(
        DecisionTrace.objects.filter(contact=contact)
        .select_related("journey")
        .order_by("at", "id")[:TRACE_LIMIT]
    )
    by_enrollment: dict[int, list[DecisionTrace]] = {}
    loose = []
    for trace in traces:
        if trace.enrollment_id is None:
            loose.append(trace)
        else:
            by_enrollment.setdefault(trace.enrollment_id, []).append(trace)
    return ContactPage(
        contact=contact,
        name=_name(contact),
        zone=zone,
        facts=_facts(contact, zone),
        traits=tuple((key, _plain(value)) for key, value in sorted((contact.traits or {}).items())),
        subscriptions=_subscriptions(contact),
        trips=tuple(
            _trip(e, by_enrollment.get(e.pk, []), Seen(now, zone, sent)) for e in enrollments
        ),
        problems=tuple(_problem(row, zone) for row in contact_problems(contact_id=contact.pk)),
        messages=messages,
        other_trace=tuple(
            (at, journey, trace_words(message, (), zone))
            for at, journey, message in _once(
                (t.at, t.journey.name if t.journey else "", line)
                for t in reversed(loose)
                for line in _lines(t)
            )
        ),
        events=tuple(
            (event.timestamp, event.name, _properties(event.properties))
            for event in Event.objects.filter(contact=contact).order_by("-timestamp", "-id")[
                :EVENT_LIMIT
            ]
        ),
    )


def _name(contact: Contact) -> str:
    full = " ".join(part for part in (contact.first_name, contact.last_name) if part)
    return full or contact.email or contact.user_id or "An anonymous visitor"


def _facts(contact: Contact, zone: ZoneInfo) -> tuple[tuple[str, str], ...]:
    shown = zone_words(zone)
    facts = [
        ("User id in your product", contact.user_id or "none yet (anonymous)"),
        ("Email", contact.email or "none"),
        ("Phone", contact.phone or "none"),
        (
            "Time zone",
            shown if contact.timezone else f"not known: times here are in {shown}",
        ),
        ("First seen", staff_date(contact.first_seen_at, zone)),
        ("Last seen", staff_when(contact.last_seen_at, zone)),
    ]
    if contact.locale:
        facts.insert(4, ("Language", contact.locale))
    return tuple(facts)


def _subscriptions(contact: Contact) -> tuple[tuple[str, str], ...]:
    rows = {row.channel: row for row in Subscription.objects.filter(contact=contact)}
    found = []
    for channel in all_channels():
        label = channel.label
        row = rows.get(channel.subscription or channel.key)
        if row is None or row.state == Subscription.State.SUBSCRIBED:
            found.append((label, "subscribed"))
            continue
        reason = f": {row.reason}" if row.reason else ""
        since = staff_date(row.changed_at, contact_zone(contact))
        found.append((label, f"{row.get_state_display().lower()} since {since}{reason}"))
    return tuple(found)


@dataclass(frozen=True)
class Seen:
    """What a trip is read against: now, the contact's zone, their messages by visit."""

    now: datetime
    zone: ZoneInfo
    messages: Mapping[int, MessageLine]


def _trip(enrollment: Enrollment, traces: Sequence[DecisionTrace], seen: Seen) -> Trip:
    spec = _spec(enrollment)
    step_ids = [step.id for step in spec.steps] if spec is not None else []
    names = step_names(spec.steps) if spec is not None else {}
    visits = sorted(enrollment.visits.all(), key=lambda visit: visit.seq)
    return Trip(
        enrollment_id=enrollment.pk,
        journey_key=enrollment.journey.key,
        sentence=enrollment_sentence(enrollment, spec, seen.now, seen.zone),
        is_open=enrollment.is_open,
        visits=tuple(
            Visit(
                step_name(visit.step.key, names),
                visit.entered_at,
                _visit_words(visit.outcome, seen.messages.get(visit.pk)),
            )
            for visit in visits
        ),
        trace=tuple(
            (at, trace_words(line, step_ids, seen.zone))
            for at, line in _once((t.at, line) for t in traces for line in _lines(t))
        ),
    )


def _visit_words(outcome: str, message: MessageLine | None) -> str:
    """A step's outcome; for a step that sent a message, that message's status in the
    words of the Messages table ("Waiting to be sent: held for quiet hours")."""
    if message is None:
        return _outcome(outcome)
    return f"{message.status_words}: {message.reason}" if message.reason else message.status_words


def _problem(row: ContactProblem, zone: ZoneInfo) -> ProblemLine:
    journey = row.journey.name if row.journey else ""
    if journey and row.step_key:
        where = f"“{journey}”, at “{step_name(row.step_key)}”"
    else:
        where = f"“{journey}”" if journey else f"Handling “{row.event_name or 'an event'}”"
    if row.kind == ContactProblem.Kind.NOT_SENT:
        sentence = f"{where}: the message was not sent: {row.reason}. The journey went on."
        return ProblemLine(row.last_at, sentence, "Not sent")
    tries = "once" if row.attempts == 1 else f"{row.attempts} times"
    if row.parked_at is not None:
        then = f"Tried {tries}, then stopped on {staff_date(row.parked_at, zone)}."
    else:
        then = f"Tried {tries}; Stepwise tries again on {staff_date(row.retry_at, zone)}."
    label = "Stopped" if row.parked_at is not None else "Retrying"
    return ProblemLine(row.last_at, f"{where}: {row.reason}. {then}", label)


def _outcome(code: str) -> str:
    return OUTCOME_WORDS.get(code, code.replace("_", " "))


def _spec(enrollment: Enrollment) -> JourneySpec | None:
    try:
        return version_info(enrollment.version_id).spec
    except (SpecError, JourneyVersion.DoesNotExist):  # an unreadable version loses the detail
        return None


def enrollment_sentence(
    enrollment: Enrollment, spec: JourneySpec | None, now: datetime, zone: ZoneInfo
) -> str:
    """ "Welcome v3 — waiting for “Uploaded File” until 3 Dec 2026, 07:55 in Paris
    (06:55 UTC), in 2 days": times in `zone`."""
    head = f"{enrollment.journey.name} v{enrollment.version.number}"
    state = enrollment.state
    step = spec.step(enrollment.step_key) if spec and spec.has_step(enrollment.step_key) else None
    names = step_names(spec.steps) if spec is not None else {}
    at = f"“{step_name(enrollment.step_key, names)}”" if enrollment.step_key else "the start"
    if state == Enrollment.State.WAITING:
        awaited = getattr(step, "event", None)
        what = f"waiting for “{awaited}”" if awaited else f"waiting at {at}"
        if enrollment.wake_at is None:
            return f"{head} — {what}, with no time limit"
        until = f"{staff_date(enrollment.wake_at, zone)}, {relative(enrollment.wake_at, now)}"
        return f"{head} — {what} until {until}"
    if state == Enrollment.State.ACTIVE:
        return f"{head} — at {at} now"
    finished = staff_date(enrollment.finished_at or enrollment.updated_at, zone)
    words: dict[str, str] = {
        Enrollment.State.CONVERTED: f"reached the goal on {finished}",
        Enrollment.State.COMPLETED: f"finished on {finished}",
        Enrollment.State.EXITED: f"left on {finished}",
        Enrollment.State.FAILED: f"stopped on {finished} at {at}",
    }
    return f"{head} — {words.get(state, state)}"


def _lines(trace: DecisionTrace) -> list[str]:
    lines = (trace.data or {}).get("lines") if isinstance(trace.data, Mapping) else None
    if isinstance(lines, list) and lines:
        return [str(line.get("message", "")) for line in lines if isinstance(line, Mapping)]
    return [line for line in trace.message.splitlines() if line.strip()]


def _once(rows: Any) -> list[Any]:
    """Each sentence once: a repeat is left out, and "entered: X" replaces an earlier "X"."""
    kept: list[Any] = []
    seen: dict[str, int] = {}
    for row in rows:
        sentence = row[-1]
        if not sentence or sentence in seen:
            continue
        _, _, rest = sentence.partition(": ")
        if rest in seen:
            index = seen.pop(rest)
            kept[index] = row
            seen[sentence] = index
            continue
        seen[sentence] = len(kept)
        kept.append(row)
    return kept


def _plain(value: Any) -> str:
    """Any stored value in words, bounded: three levels deep and 300 characters at most
    (data stored before the API refused deep nesting must still show)."""
    text = _words(value, levels=3)
    return text if len(text) <= _MAX_PLAIN else text[: _MAX_PLAIN - 1] + "…"


_MAX_PLAIN = 300


def _words(value: Any, *, levels: int) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Mapping | list | tuple) and levels == 0:
        return "…"
    if isinstance(value, Mapping):
        shown = [f"{key}: {_words(item, levels=levels - 1)}" for key, item in _first(value.items())]
        return ", ".join(shown + (["…"] if len(value) > _MAX_ITEMS else []))
    if isinstance(value, list | tuple):
        shown = [_words(item, levels=levels - 1) for item in _first(value)]
        return ", ".join(shown + (["…"] if len(value) > _MAX_ITEMS else []))
    return "" if value is None else str(value)[:_MAX_PLAIN]


_MAX_ITEMS = 20


def _first(items: Iterable[Any]) -> list[Any]:
    return list(itertools.islice(items, _MAX_ITEMS))


def _properties(properties: Any) -> str:
    if not isinstance(properties, Mapping) or not properties:
        return ""
    return ", ".join(f"{key}: {_plain(value)}" for key, value in list(properties.items())[:8])
