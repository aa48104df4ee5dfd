"""Internal notes to the team ("Ada has been stuck at upload for 3 days"), rendered here
because the note text is a template over the contact and the event; sending is channels'."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liquid import Environment
from liquid.exceptions import LiquidError

from journeys.core.engine import ContactView

MAX_NOTE_CHARS = 4000


class _NoteEnvironment(Environment):
    loop_iteration_limit = 1000
    output_stream_limit = MAX_NOTE_CHARS


_ENV = _NoteEnvironment()


def note_render(text: str, contact: ContactView, context: Mapping[str, Any]) -> str:
    """The note's text with `{{ contact.* }}`, `{{ event.* }}` and `{{ journey.name }}` filled
    in; the raw text when the template cannot be rendered (a note is never lost)."""
    try:
        return _ENV.from_string(text).render(contact=dict(contact.traits), **context)
    except LiquidError:
        return text
