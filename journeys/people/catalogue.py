"""The event catalogue: which events exist, how often, with which properties.

Updated by the worker from batches of new events, never in the API request."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import F

from journeys.models import Event, EventType

MAX_PROPERTIES_TRACKED = 200
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def normalize_event_name(name: str) -> str:
    """`Signed Up`, `signed_up` and `signedUp` all become `signedup`."""
    return _NOT_ALNUM.sub("", name.lower())


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass
class _Tally:
    count: int = 0
    unmatched: int = 0
    first: datetime | None = None
    last: datetime | None = None
    properties: dict[str, set[str]] = field(default_factory=dict)

    def add(self, event: Event, *, matched: bool) -> None:
        self.count += 1
        self.unmatched += 0 if matched else 1
        self.first = min(self.first or event.received_at, event.received_at)
        self.last = max(self.last or event.received_at, event.received_at)
        for key, value in (event.properties or {}).items():
            if key in self.properties or len(self.properties) < MAX_PROPERTIES_TRACKED:
                self.properties.setdefault(key, set()).add(json_type(value))


def catalogue_record(*, events: Sequence[Event], identified_contact_ids: set[int]) -> None:
    """Count a batch of events into the catalogue, one row per (source, type, name)."""
    tallies: dict[tuple[int, str, str], _Tally] = {}
    for event in events:
        tally = tallies.setdefault((event.source_id, event.type, event.name), _Tally())
        tally.add(event, matched=event.contact_id in identified_contact_ids)
    for (source_id, type_, name), tally in tallies.items():
        _record_one(source_id, type_, name, tally)


def _record_one(source_id: int, type_: str, name: str, tally: _Tally) -> None:
    # A tally holds at least one event, so it has both times.
    assert tally.first is not None
    assert tally.last is not None
    normalized = normalize_event_name(name)
    entry, created = EventType.objects.select_for_update().get_or_create(
        source_id=source_id,
        type=type_,
        name=name,
        defaults={
            "normalized_name": normalized,
            "first_seen_at": tally.first,
            "last_seen_at": tally.last,
        },
    )
    merged = {key: set(types) for key, types in entry.properties.items()}
    for key, types in tally.properties.items():
        if key in merged or len(merged) < MAX_PROPERTIES_TRACKED:
            merged.setdefault(key, set()).update(types)
    EventType.objects.filter(pk=entry.pk).update(
        count=F("count") + tally.count,
        unmatched_count=F("unmatched_count") + tally.unmatched,
        last_seen_at=max(entry.last_seen_at, tally.last),
        properties={key: sorted(types) for key, types in sorted(merged.items())},
    )
    if created:
        _link_similar(entry, normalized)


def _link_similar(entry: EventType, normalized: str) -> None:
    """Flag near-duplicate names of the same source on both sides."""
    others = list(
        EventType.objects.filter(source_id=entry.source_id, normalized_name=normalized)
        .exclude(pk=entry.pk)
        .select_for_update()
    )
    if not others:
        return
    EventType.objects.filter(pk=entry.pk).update(similar_to=sorted(o.name for o in others))
    for other in others:
        names = sorted({*other.similar_to, entry.name})
        EventType.objects.filter(pk=other.pk).update(similar_to=names)
