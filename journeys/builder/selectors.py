"""Reads for the builder's pages: the journey list, the cards' live counts, catalogue facts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Q, QuerySet

from journeys.models import Enrollment, Journey

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
