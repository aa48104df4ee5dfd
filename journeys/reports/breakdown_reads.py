"""Reads behind breakdowns: the traits and trigger properties to offer, and entrants with
their outcome grouped by one of them. Unlike the funnel these read raw rows (a trait can
be any key), one grouped query per page; a trigger property needs the trigger event,
found by the (contact, name, timestamp) index — and gone once raw events are purged."""

from __future__ import annotations

from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.fields.json import KeyTextTransform

from journeys.core.spec import JourneySpec
from journeys.models import Contact, Enrollment, Event, EventType, Journey
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
    rows = Enrollment.objects.filter(journey=journey)
    if version_id is not None:
        rows = rows.filter(
            Q(entry_version_id=version_id) | Q(entry_version_id__isnull=True, version_id=version_id)
        )
    if filter.since is not None:
        rows = rows.filter(entered_at__date__gte=filter.since)
    if filter.until is not None:
        rows = rows.filter(entered_at__date__lte=filter.until)
    value: KeyTextTransform | Subquery
    if by.source == TRAIT:
        value = KeyTextTransform(by.key, "contact__traits")
    else:
        trigger = Event.objects.filter(
            contact_id=OuterRef("contact_id"),
            name=spec.trigger.event,
            timestamp=OuterRef("trigger_at"),
        ).annotate(value=KeyTextTransform(by.key, "properties"))
        value = Subquery(trigger.values("value")[:1])
    if spec.goal is not None:  # a join, not a subquery per entrant
        done = Count("conversion__pk")
    else:
        done = Count("pk", filter=Q(state="completed"))
    grouped = (
        rows.annotate(value=value)
        .values("value")
        .annotate(entered=Count("pk"), count=done)
        .order_by()
        .values_list("value", "entered", "count")
    )
    return list(grouped)
