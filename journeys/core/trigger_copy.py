"""What an enrollment keeps of the event that started it, so reports can split by a
trigger property without looking the event up again (docs/reports.md, "Breakdowns"):
its scalar properties, at most KEYS of them, text cut to TEXT characters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

KEYS = 30
TEXT = 80  # a breakdown shows at most this much of a value
KEY_TEXT = 100


def trigger_copy(properties: Mapping[str, Any] | None) -> dict[str, str | int | float | bool]:
    """The trigger event's properties that a breakdown can split by; lists, objects and
    nulls are left out (they are no value to group by), and so are keys past the first
    KEYS in the event's own order."""
    kept: dict[str, str | int | float | bool] = {}
    for key, value in (properties or {}).items():
        if len(kept) == KEYS:
            break
        if not isinstance(key, str) or len(key) > KEY_TEXT:
            continue
        if isinstance(value, str):
            kept[key] = value[:TEXT]
        elif isinstance(value, bool | int | float):
            kept[key] = value
    return kept
