"""Template filters for staff pages: the one date format and plain relative times.

"3 Dec 2026, 10:00 in Los Angeles (18:00 UTC)": a moment in a zone (the site's unless a
page passes the contact's), always with its zone and UTC (`journeys.core.zones.time_words`),
plus "in 2 days" / "2 hours ago" where it helps (TEAM.md: one date format on staff pages).
In a template: `{{ moment|staff_date }}`, or `{{ moment|staff_date:zone }}`."""

from __future__ import annotations

from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

from journeys.core.zones import time_words, zone_for

register = template.Library()

_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def staff_date(moment: datetime | None, zone: tzinfo | str | None = None) -> str:
    """ "3 Dec 2026, 10:00 in Los Angeles (18:00 UTC)": `moment` in `zone` (a zone or an
    IANA name; the site's when None or unknown), with UTC; "" for no date."""
    if moment is None:
        return ""
    return time_words(moment, staff_zone(zone))


def staff_zone(zone: tzinfo | str | None = None) -> ZoneInfo:
    """`zone` as a ZoneInfo; the current (site) zone for None, "" or a name not known."""
    if isinstance(zone, ZoneInfo):
        return zone
    site = timezone.get_current_timezone()
    site_name = getattr(site, "key", "UTC")
    return zone_for(zone if isinstance(zone, str) else "", site_name)


def relative(moment: datetime | None, now: datetime | None = None) -> str:
    """ "2 hours ago", "in 2 days", "just now": the largest whole unit only."""
    if moment is None:
        return ""
    now = now or timezone.now()
    seconds = int((moment - now).total_seconds())
    if abs(seconds) < 60:
        return "just now"
    for size, unit in _UNITS:
        if abs(seconds) >= size:
            count = round(abs(seconds) / size)
            words = f"{count} {unit}{'s' if count != 1 else ''}"
            return f"in {words}" if seconds > 0 else f"{words} ago"
    return "just now"


@register.filter(name="staff_date")
def staff_date_filter(moment: datetime | None, zone: tzinfo | str | None = None) -> str:
    return staff_date(moment, zone)


@register.filter(name="relative")
def relative_filter(moment: datetime | None) -> str:
    return relative(moment)


@register.filter(name="staff_when")
def staff_when(moment: datetime | None, zone: tzinfo | str | None = None) -> str:
    """ "3 Dec 2026, 10:00 in Los Angeles (18:00 UTC), in 2 days"."""
    if moment is None:
        return ""
    return f"{staff_date(moment, zone)}, {relative(moment)}"
