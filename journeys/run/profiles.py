"""Read side of contacts for the API: what a product app may ask about one of its users."""

from __future__ import annotations

from typing import Any

from channels.registry import all_channels
from journeys.core.traits import KNOWN_TRAITS
from journeys.models import Contact, Enrollment, Event, Subscription
from journeys.run.selectors import contact_enrollments

RECENT_EVENTS = 50


def contact_profile(*, user_id: str) -> dict[str, Any] | None:
    """The contact behind a userId as the API shows it, or None."""
    contact = Contact.objects.filter(user_id=user_id).first()
    if contact is None:
        return None
    return {
        "user_id": contact.user_id,
        "traits": contact_traits(contact),
        "subscriptions": subscriptions_of(contact),
        "recent_events": [
            {"event": e.name, "type": e.type, "timestamp": e.timestamp, "properties": e.properties}
            for e in Event.objects.filter(contact=contact)
            .order_by("-timestamp", "-id")
            .only("name", "type", "timestamp", "properties")[:RECENT_EVENTS]
        ],
        "enrollments": [_enrollment(e) for e in contact_enrollments(contact_id=contact.pk)],
    }


def _enrollment(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "journey": enrollment.journey.key,
        "version": enrollment.version.number,
        "state": enrollment.state,
        "step": enrollment.step_key,
        "entered_at": enrollment.entered_at,
        "wake_at": enrollment.wake_at,
        "finished_at": enrollment.finished_at,
        "steps": [visit.step.key for visit in enrollment.visits.all()],
    }


def contact_traits(contact: Contact) -> dict[str, Any]:
    """Raw traits with the validated well-known values on top."""
    known = {name: getattr(contact, name) for name in KNOWN_TRAITS if getattr(contact, name)}
    return {**contact.traits, **known}


def subscriptions_of(contact: Contact) -> dict[str, dict[str, Any]]:
    """Every channel's state, read from its subscription; no row (or no opt-out) is
    subscribed."""
    rows = {s.channel: s for s in Subscription.objects.filter(contact=contact)}
    result = {}
    for channel in all_channels():
        row = rows.get(channel.subscription) if channel.subscription else None
        result[channel.key] = (
            {"state": row.state, "reason": row.reason, "changed_at": row.changed_at}
            if row
            else {"state": "subscribed", "reason": "", "changed_at": None}
        )
    return result
