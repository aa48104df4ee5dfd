"""Time zones (pure): the fallback shared by the engine and channels' delivery rules, and
the one way staff pages write a moment with its zone (`time_words`)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

UTC_ZONE = ZoneInfo("UTC")


def zone_for(*names: str) -> ZoneInfo:
    """The first valid IANA zone among names (contact, source, site), else UTC."""
    for name in names:
        if not name:
            continue
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
    return UTC_ZONE


def zone_words(zone: ZoneInfo) -> str:
    """A zone as people say it: "Los Angeles" for America/Los_Angeles, "UTC" for UTC."""
    if is_utc(zone):
        return "UTC"
    key = zone.key or str(zone)
    if key.startswith("Etc/"):
        return key.removeprefix("Etc/")
    return key.rsplit("/", 1)[-1].replace("_", " ")


def is_utc(zone: ZoneInfo) -> bool:
    return (zone.key or "") in {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "GMT"}


def time_words(moment: datetime, zone: ZoneInfo = UTC_ZONE) -> str:
    """The one way staff read a moment, its zone always said: "3 Dec 2026, 10:00 in
    Los Angeles (18:00 UTC)", "3 Dec 2026, 18:00 UTC" when the zone is UTC; the UTC date
    too when it is another day ("3 Dec 2026, 23:30 in Los Angeles (4 Dec, 07:30 UTC)").
    A naive moment is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC_ZONE)
    utc = moment.astimezone(UTC_ZONE)
    if is_utc(zone):
        return f"{utc.day} {utc:%b %Y, %H:%M} UTC"
    local = moment.astimezone(zone)
    same_day = local.date() == utc.date()
    utc_part = f"{utc:%H:%M}" if same_day else f"{utc.day} {utc:%b, %H:%M}"
    return f"{local.day} {local:%b %Y, %H:%M} in {zone_words(zone)} ({utc_part} UTC)"
