"""Internal notes to the team ("Ada has been stuck at upload for 3 days"), rendered here
because the note text is a template over the contact and the event; sending is channels'."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from liquid import Environment

from channels.rendering import RenderError, render_field, template_context

MAX_NOTE_CHARS = 4000


class _NoteEnvironment(Environment):
    loop_iteration_limit = 1000
    output_stream_limit = MAX_NOTE_CHARS


_ENV = _NoteEnvironment()


def note_render(text: str, contact: Mapping[str, Any], context: Mapping[str, Any]) -> str:
    """The note's text with `{{ contact.* }}`, `{{ event.* }}` and `{{ journey.name }}` filled
    in as a message's are (the same render call and the same `contact`, so the builder's
    picker offers what a note can say). A value this contact lacks is left blank rather than
    holding the note back; the raw text when nothing can be rendered (a note is never lost,
    and never stops the worker)."""
    values = template_context(
        contact=contact,
        event=context.get("event") or {},
        events=context.get("events") or {},
        journey=context.get("journey") or {},
        unsubscribe_url="",
    )
    try:
        return render_field("text", text, values, html=False)
    except RenderError:
        pass
    try:
        return _ENV.from_string(text).render(**values)
    except Exception:  # noqa: BLE001 - filters raise ValueError, OverflowError... on odd data
        return text
