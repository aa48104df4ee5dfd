"""Pure shapes of what the event API hands to the ingest service."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from journeys.core.traits import KnownTraits


class PayloadError(ValueError):
    """A message the API must refuse; `field` names the offending field."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class NotFound(LookupError):
    """The API answers 404 with this message."""


@dataclass(frozen=True, slots=True)
class Incoming:
    """One validated Segment message (track, identify, page, screen, group or alias)."""

    type: str
    name: str
    user_id: str | None
    anonymous_id: str | None
    message_id: str
    timestamp: datetime
    context: dict[str, Any] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    traits: dict[str, Any] | None = None
    group_id: str | None = None
    previous_id: str | None = None
    known: KnownTraits | None = None
