"""Conversions: the goal watched on its own, whatever became of the enrollment.

The engine converts an open enrollment when its goal event arrives; this watch records
the conversion of every enrollment the goal event belongs to — open, a holdout that
completed at once, or one that exited early or whose journey was archived — as long as
the event matches the goal's conditions and comes within its window. The event belongs
to the contact's latest enrollment in the journey that existed when the event was
handled (the one an open enrollment would have been), and converts it at most once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import F

from journeys.core.conditions import EventView, Facts, evaluate_all
from journeys.models import Conversion, Enrollment, JourneyVersion
from journeys.run.selectors import version_info


@dataclass(frozen=True)
class GoalEvent:
    contact_id: int
    event: EventView


def goal_event_names() -> set[str]:
    """Every goal event name of any published version (a journey's goal may change)."""
    names = JourneyVersion.objects.values_list("spec__goal__event", flat=True).distinct()
    return {name for name in names if isinstance(name, str)}


def conversions_find(
    *, events: list[GoalEvent], entry_events: dict[int, tuple[datetime, int]]
) -> list[tuple[Conversion, Enrollment]]:
    """The conversions these events make (unsaved). `entry_events` are the enrollments
    entered in this batch with their trigger's (timestamp, id): events before it are not
    theirs."""
    contact_ids = {e.contact_id for e in events}
    rows: list[Enrollment] = list(
        Enrollment.objects.filter(contact_id__in=contact_ids)
        .annotate(conversion_pk=F("conversion__id"))
        .order_by("entered_at", "pk")
    )
    by_contact: dict[int, list[Enrollment]] = {}
    for row in rows:
        by_contact.setdefault(row.contact_id, []).append(row)
    converted = {row.pk for row in rows if getattr(row, "conversion_pk", None) is not None}
    found: list[tuple[Conversion, Enrollment]] = []
    ordered = sorted(events, key=lambda g: (g.event.timestamp, int(g.event.id or 0)))
    for goal_event in ordered:
        event = goal_event.event
        key = (event.timestamp, int(event.id or 0))
        latest: dict[int, Enrollment] = {}
        for row in by_contact.get(goal_event.contact_id, []):
            entered_by = entry_events.get(row.pk)
            if entered_by is None or entered_by < key:
                latest[row.journey_id] = row
        for row in latest.values():
            if row.pk in converted:
                continue
            conversion = _conversion(row, event)
            if conversion is not None:
                converted.add(row.pk)
                found.append((conversion, row))
    return found


def _conversion(row: Enrollment, event: EventView) -> Conversion | None:
    goal = version_info(row.version_id).spec.goal
    if goal is None or goal.event != event.name:
        return None
    at = event.timestamp
    assert at is not None  # stored events always have a timestamp
    if not evaluate_all(goal.where, Facts({}, event.properties, (), at)).held:
        return None
    if goal.within is not None and at > row.entered_at + goal.within:
        return None
    return Conversion(
        enrollment_id=row.pk,
        journey_id=row.journey_id,
        version_id=row.entry_version_id or row.version_id,
        event_id=event.id,
        converted_at=at,
        seconds=max(0, int((at - row.entered_at).total_seconds())),
    )
