"""Template filters for staff pages: the one date format and plain relative times.

"3 Dec 2026, 07:55" in the site's time zone, plus "in 2 days" / "2 hours ago" where it
helps (TEAM.md: one date format on staff pages)."""

from __future__ import annotations

from datetime import datetime

from django import template
from django.utils import timezone

register = template.Library()

STAFF_DATE_FORMAT = "%-d %b %Y, %H:%M"
_UNITS = (
    (365 * 86400, "year"),
    (30 * 86400, "month"),
    (7 * 86400, "week"),
    (86400, "day"),
    (3600, "hour"),
    (60, "minute"),
)


def staff_date(moment: datetime | None) -> str:
    """ "3 Dec 2026, 07:55" in the current (site) time zone; "" for no date."""
    if moment is None:
        return ""
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime(STAFF_DATE_FORMAT)


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
def staff_date_filter(moment: datetime | None) -> str:
    return staff_date(moment)


@register.filter(name="relative")
def relative_filter(moment: datetime | None) -> str:
    return relative(moment)


@register.filter(name="staff_when")
def staff_when(moment: datetime | None) -> str:
    """ "3 Dec 2026, 07:55 (in 2 days)"."""
    if moment is None:
        return ""
    return f"{staff_date(moment)} ({relative(moment)})"
