"""Reads for the builder's pages: the journey list, the cards' live counts, catalogue facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from journeys.builder.checks import Stopped
from journeys.models import (
    Contact,
    ContactProblem,
    Enrollment,
    Event,
    EventType,
    Journey,
    StepVisit,
)
from journeys.run.selectors import journey_problems

LIST_WINDOW = timedelta(days=7)
STATUS_FILTERS = {
    "all": ("All journeys", ~Q(status=Journey.Status.ARCHIVED)),
    "active": ("Live and paused", Q(status__in=[Journey.Status.LIVE, Journey.Status.PAUSED])),
    "draft": ("Drafts", Q(status=Journey.Status.DRAFT)),
    "archived": ("Archived", Q(status=Journey.Status.ARCHIVED)),
}


@dataclass(frozen=True)
class JourneyRow:
    journey: Journey
    live_version: int | None
    entered: int
    active: int
    converted: int
    edited_at: datetime
    edited_by: str


def journey_rows(*, now: datetime, show: str = "all", search: str = "") -> list[JourneyRow]:
    """Journeys for the list, with entered / active / converted over the last 7 days."""
    since = now - LIST_WINDOW
    queryset: QuerySet[Journey] = Journey.objects.filter(STATUS_FILTERS[show][1])
    if search:
        queryset = queryset.filter(Q(name__icontains=search) | Q(key__icontains=search))
    rows = (
        queryset.select_related("current_version", "updated_by")
        .annotate(
            entered_count=Count("enrollments", filter=Q(enrollments__entered_at__gte=since)),
            active_count=Count(
                "enrollments", filter=Q(enrollments__state__in=Enrollment.OPEN_STATES)
            ),
            converted_count=Count(
                "enrollments",
                filter=Q(
                    enrollments__state=Enrollment.State.CONVERTED,
                    enrollments__finished_at__gte=since,
                ),
            ),
        )
        .order_by("name", "pk")
    )
    return [
        JourneyRow(
            journey=journey,
            live_version=journey.current_version.number if journey.current_version else None,
            entered=journey.entered_count,
            active=journey.active_count,
            converted=journey.converted_count,
            edited_at=journey.updated_at,
            edited_by=journey.updated_by.get_username() if journey.updated_by else "",
        )
        for journey in rows
    ]


@dataclass(frozen=True)
class CatalogueEvent:
    name: str
    count: int
    last_seen: datetime
    properties: tuple[str, ...]


def catalogue_events() -> list[CatalogueEvent]:
    """Every event name the catalogue has, with its count, last-seen time and property keys."""
    merged: dict[str, CatalogueEvent] = {}
    for row in EventType.objects.filter(type="track").only(
        "name", "count", "last_seen_at", "properties"
    ):
        keys = tuple(sorted(row.properties or {}))
        seen = merged.get(row.name)
        if seen is None:
            merged[row.name] = CatalogueEvent(row.name, row.count, row.last_seen_at, keys)
        else:
            merged[row.name] = CatalogueEvent(
                row.name,
                seen.count + row.count,
                max(seen.last_seen, row.last_seen_at),
                tuple(sorted(set(seen.properties) | set(keys))),
            )
    return sorted(merged.values(), key=lambda event: event.name.lower())


def recent_event_names(events: list[CatalogueEvent], *, now: datetime, days: int) -> list[str]:
    since = now - timedelta(days=days)
    return [event.name for event in events if event.last_seen >= since]


def trait_keys(*, limit: int = 500) -> list[str]:
    """Trait names recent contacts have (for the condition builder's suggestions)."""
    keys: set[str] = {"email", "phone", "first_name", "last_name", "timezone"}
    for traits in Contact.objects.order_by("-last_seen_at").values_list("traits", flat=True)[
        :limit
    ]:
        if isinstance(traits, dict):
            keys.update(str(key) for key in traits)
    return sorted(keys)


def same_trigger_journeys(journey: Journey, event: str) -> list[str]:
    """Names of other live journeys whose live version starts on the same event."""
    if not event:
        return []
    found = []
    others = Journey.objects.filter(status=Journey.Status.LIVE).exclude(pk=journey.pk)
    for other in others.select_related("current_version"):
        spec = other.current_version.spec if other.current_version else {}
        if (spec.get("trigger") or {}).get("event") == event:
            found.append(other.name)
    return found


def open_by_step(journey: Journey) -> dict[str, int]:
    """How many contacts are in the journey now, by the step they are at."""
    rows = (
        Enrollment.objects.filter(journey=journey, state__in=Enrollment.OPEN_STATES)
        .values("step_key")
        .annotate(count=Count("pk"))
    )
    return {row["step_key"]: row["count"] for row in rows}


def contact_search(text: str) -> Contact | None:
    """The contact a staff member means by a name, an email address or an id."""
    text = text.strip()[:200]
    if not text:
        return None
    queryset = Contact.objects.order_by("-last_seen_at")
    if text.isdigit():
        found = queryset.filter(pk=int(text)).first()
        if found is not None:
            return found
    return (
        queryset.filter(Q(email__iexact=text) | Q(user_id=text)).first()
        or queryset.filter(
            Q(first_name__icontains=text) | Q(last_name__icontains=text) | Q(email__icontains=text)
        ).first()
    )


def passed_by_step(journey: Journey) -> dict[str, int]:
    """How many contacts have passed each step (left it), over every version."""
    rows = (
        StepVisit.objects.filter(step__version__journey=journey, left_at__isnull=False)
        .values("step__key")
        .annotate(count=Count("enrollment_id", distinct=True))
    )
    return {row["step__key"]: row["count"] for row in rows}


@dataclass(frozen=True)
class PersonAtStep:
    contact: Contact
    since: datetime
    here: bool


def people_at_step(journey: Journey, step_key: str, *, limit: int = 100) -> list[PersonAtStep]:
    """Contacts at the step now, then those who passed it, newest first."""
    here = (
        Enrollment.objects.filter(
            journey=journey, step_key=step_key, state__in=Enrollment.OPEN_STATES
        )
        .select_related("contact")
        .order_by("-step_entered_at")[:limit]
    )
    found = [PersonAtStep(row.contact, row.step_entered_at, True) for row in here]
    passed = (
        StepVisit.objects.filter(
            step__version__journey=journey, step__key=step_key, left_at__isnull=False
        )
        .select_related("enrollment__contact")
        .order_by("-left_at")[: max(0, limit - len(found))]
    )
    seen = {person.contact.pk for person in found}
    for visit in passed:
        contact = visit.enrollment.contact
        if contact.pk not in seen:
            seen.add(contact.pk)
            found.append(PersonAtStep(contact, visit.left_at or visit.entered_at, False))
    return found


def recent_contact_ids(event: str, *, now: datetime, days: int, limit: int = 500) -> list[int]:
    """The contacts who did `event` lately (newest first, each once)."""
    if not event:
        return []
    since = now - timedelta(days=days)
    ids = list(
        Event.objects.filter(name=event, timestamp__gte=since, contact__isnull=False)
        .order_by("-timestamp")
        .values_list("contact_id", flat=True)[: limit * 3]
    )
    return list(dict.fromkeys(ids))[:limit]


def recent_people(event: str, *, now: datetime, days: int, limit: int = 500) -> list[dict]:
    """The template `contact` values of people who did `event` lately (newest first)."""
    unique = recent_contact_ids(event, now=now, days=days, limit=limit)
    if not unique:
        return []
    rows = Contact.objects.filter(pk__in=unique).only(
        "first_name", "last_name", "email", "phone", "locale", "traits"
    )
    return [
        {
            "first_name": row.first_name,
            "last_name": row.last_name,
            "email": row.email,
            "phone": row.phone,
            "locale": row.locale,
            "traits": dict(row.traits or {}),
        }
        for row in rows
    ]


def stopped_people(*, journey_id: int, since: datetime) -> list[Stopped]:
    """People of this journey the worker stopped on (or retries), or did not send a message
    to, since `since`, by step."""
    groups: dict[tuple[str, bool, bool], list[ContactProblem]] = {}
    for row in journey_problems(journey_id=journey_id, since=since):
        not_sent = row.kind == ContactProblem.Kind.NOT_SENT
        groups.setdefault((row.step_key, row.parked_at is not None, not_sent), []).append(row)
    return [
        Stopped(
            step=step or None,
            parked=parked,
            people=len({row.contact_id for row in rows}),
            reason=rows[0].reason,  # newest first
            not_sent=not_sent,
        )
        for (step, parked, not_sent), rows in groups.items()
    ]


def problems_by_step(*, journey_id: int, since: datetime) -> dict[str, int]:
    """How many people each step had a problem with since `since` (the card's count)."""
    rows = (
        ContactProblem.objects.filter(journey_id=journey_id, last_at__gte=since)
        .exclude(step_key="")
        .values("step_key")
        .annotate(count=Count("contact_id", distinct=True))
    )
    return {row["step_key"]: row["count"] for row in rows}
