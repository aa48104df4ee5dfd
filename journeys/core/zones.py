"""Time-zone fallback, shared by the engine and channels' delivery rules (pure)."""

from __future__ import annotations

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
