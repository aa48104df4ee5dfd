"""The builder's live preview: a message rendered for a made-up or a real contact, with
an unsubscribe link that goes nowhere. Never raises: problems are on the result."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.delivery.sending import contact_context, message_values
from channels.registry import render_preview as _render_preview
from channels.rendering import MessageContent, RenderedMessage
from journeys.models import Contact

PREVIEW_UNSUBSCRIBE_URL = "https://example.invalid/unsubscribe/preview/"


def render_preview(
    channel: str, content: MessageContent, context: Mapping[str, Any]
) -> RenderedMessage:
    """Render for the builder's live preview; never raises (problems are on the result)."""
    unsubscribe = str(context.get("unsubscribe_url") or PREVIEW_UNSUBSCRIBE_URL)
    values = message_values(context.get("contact") or {}, context, unsubscribe)
    return _render_preview(channel, content, values)


def preview_context(
    *,
    contact_id: int,
    event: Mapping[str, Any] | None = None,
    journey: Mapping[str, Any] | None = None,
    events: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A render_preview context for a real contact (the builder's "preview as…")."""
    contact = Contact.objects.get(pk=contact_id)
    return {
        "contact": contact_context(contact),
        "event": dict(event or {}),
        "events": dict(events or {}),
        "journey": dict(journey or {}),
    }
