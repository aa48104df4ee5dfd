"""Between rows and the pure engine: contacts, events and snapshots as the engine sees them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from journeys.core.engine import ContactView, EventView
from journeys.core.traits import KNOWN_TRAITS
from journeys.models import Contact, Event


def event_view(event: Event) -> EventView:
    return EventView(
        name=event.name, properties=event.properties or {}, timestamp=event.timestamp, id=event.pk
    )


def event_snapshot(view: EventView | None) -> dict[str, Any]:
    """The event as stored on the enrollment and shown to templates."""
    if view is None:
        return {}
    stamp = view.timestamp.isoformat() if view.timestamp else None
    return {
        "id": view.id,
        "name": view.name,
        "properties": dict(view.properties),
        "timestamp": stamp,
    }


def snapshot_view(data: dict[str, Any]) -> EventView | None:
    if not data:
        return None
    stamp = datetime.fromisoformat(data["timestamp"]) if data.get("timestamp") else None
    return EventView(
        name=data["name"],
        properties=data.get("properties") or {},
        timestamp=stamp,
        id=data.get("id"),
    )


def contact_view(contact: Contact) -> ContactView:
    traits = dict(contact.traits or {})
    traits |= {name: getattr(contact, name) for name in KNOWN_TRAITS if getattr(contact, name)}
    source = contact.source if contact.source_id else None
    return ContactView(
        id=contact.pk,
        traits=traits,
        timezone=contact.timezone,
        source_timezone=source.timezone if source is not None else "",
        site_timezone=settings.TIME_ZONE,
    )
