"""Reads behind breakdowns: the traits and trigger properties to offer, and entrants with
their outcome grouped by one of them. Unlike the funnel these read raw rows (a trait can
be any key), so the worker runs them (journeys.reports.snapshots), never the page. A
trigger property is read from what the enrollment copied at entry (`trigger_data`); a
trip that entered before that was kept finds its trigger event by the (contact, name,
timestamp) index — and reads "Not set" once raw events are purged."""

from __future__ import annotations

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, TextField, When
from django.db.models.fields.json import KeyTextTransform

from journeys.core.spec import JourneySpec
from journeys.models import Contact, Enrollment, Event, EventType, Journey, StepVisit
from journeys.reports.breakdown import EVENT, TRAIT, By
from journeys.reports.selectors import Filter

SAMPLE = 500  # the latest entrants, whose trait keys are offered


def breakdown_choices(journey: Journey, spec: JourneySpec) -> list[By]:
    """Trait keys of the journey's latest entrants, then the trigger event's properties."""
    latest = Enrollment.objects.filter(journey=journey).order_by("-pk")[:SAMPLE]
    recent = Contact.objects.filter(
        pk__in=list(latest.values_list("contact_id", flat=True))
    ).values_list("traits", flat=True)
    traits = {str(k) for t in recent if isinstance(t, dict) for k in t if k != "email"}
    properties: set[str] = set()
    for found in EventType.objects.filter(name=spec.trigger.event).values_list(
        "properties", flat=True
    ):
        properties.update(str(k) for k in (found or {}))
    return [By(TRAIT, k) for k in sorted(traits)] + [By(EVENT, k) for k in sorted(properties)]


def breakdown_rows(
    journey: Journey, spec: JourneySpec, filter: Filter, version_id: int | None, by: By
) -> list[tuple[object, int, int]]:
    """(value, entrants, converted — or finished without a goal) per value."""
    rows = _entrants(journey, filter, version_id).annotate(value=_value(spec, by))
    if spec.goal is not None:  # a join, not a subquery per entrant
        done = Count("conversion__pk")
    else:
        done = Count("pk", filter=Q(state="completed"))
    grouped = (
        rows.values("value")
        .annotate(entered=Count("pk"), count=done)
        .order_by()
        .values_list("value", "entered", "count")
    )
    return list(grouped)


def _entrants(journey: Journey, filter: Filter, version_id: int | None) -> QuerySet[Enrollment]:
    rows = Enrollment.objects.filter(journey=journey)
    if version_id is not None:
        rows = rows.filter(
            Q(entry_version_id=version_id) | Q(entry_version_id__isnull=True, version_id=version_id)
        )
    if filter.since is not None:
        rows = rows.filter(entered_at__date__gte=filter.since)
    if filter.until is not None:
        rows = rows.filter(entered_at__date__lte=filter.until)
    return rows


def _value(spec: JourneySpec, by: By, prefix: str = "") -> KeyTextTransform | Case:
    """The trait or trigger property of an enrollment (`prefix`: the path to it)."""
    if by.source == TRAIT:
        return KeyTextTransform(by.key, f"{prefix}contact__traits")
    trigger = Event.objects.filter(
        contact_id=OuterRef(f"{prefix}contact_id"),
        name=spec.trigger.event,
        timestamp=OuterRef(f"{prefix}trigger_at"),
    ).annotate(value=KeyTextTransform(by.key, "properties"))
    return Case(  # the event is looked up only for trips that entered before the copy
        When(**{f"{prefix}trigger_data__isnull": True}, then=Subquery(trigger.values("value")[:1])),
        default=KeyTextTransform(by.key, f"{prefix}trigger_data"),
        output_field=TextField(),
    )


def breakdown_reach(
    journey: Journey, spec: JourneySpec, filter: Filter, version_id: int | None, by: By
) -> list[tuple[object, str, int]]:
    """(value, step key, entrants who reached the step) — the funnel per value."""
    entrants = _entrants(journey, filter, version_id)
    visits = StepVisit.objects.filter(enrollment__in=entrants.values("pk"))
    grouped = (
        visits.annotate(value=_value(spec, by, "enrollment__"))
        .values("value", "step__key")
        .annotate(n=Count("enrollment_id", distinct=True))
        .order_by()
        .values_list("value", "step__key", "n")
    )
    return list(grouped)
