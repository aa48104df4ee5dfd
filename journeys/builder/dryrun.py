"""The dry run beside the canvas: a script of events typed in words, run through the
journey by the simulator (journeys.core.simulate, the engine's own dry run), read back as a
timeline in words with the cards it reached. Pure: no Django.

A script line is "when: Event name, property = value, ...", `when` being "now" or a
length of time after the start ("2 hours", "3 days"): "1 day: Created Note, size = 3".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from channels.registry import get_channel
from journeys.builder.forms.conditions import scalar
from journeys.builder.graph import list_at, map_at
from journeys.builder.names import step_name
from journeys.builder.words import WordsError, length_words, parse_length
from journeys.core.simulate import ScriptEvent, Simulation
from journeys.core.zones import time_words

MAX_LINES = 50
_STAMP = re.compile(r"(\d{4}-\d{2}-\d{2} \d{2}:\d{2}) UTC")


def _staff_time(match: re.Match[str]) -> str:
    """The staff pages' one wording of a moment (`time_words`): "3 Dec 2026, 07:55 UTC"."""
    return time_words(datetime.strptime(f"{match.group(1)} +0000", "%Y-%m-%d %H:%M %z"))


class ScriptError(ValueError):
    """A script line that cannot be read; the message says which and why."""


@dataclass(frozen=True)
class Row:
    after: str  # "at the start", "after 2 days"
    text: str
    kind: str


def parse_script_text(text: str, *, start: datetime) -> list[ScriptEvent]:
    """Script lines → the simulator's events, in the order typed."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise ScriptError(f"A dry run takes at most {MAX_LINES} events.")
    events = []
    for number, line in enumerate(lines, 1):
        if ":" not in line:
            raise ScriptError(f"Line {number}: write “when: event”, e.g. “now: Signed Up”.")
        when, rest = line.split(":", 1)
        offset = timedelta(0)
        if when.strip().lower() not in {"now", "at once", "start", "0"}:
            try:
                offset = parse_length(when)
            except WordsError as exc:
                raise ScriptError(f"Line {number}: {exc}") from None
        name, *pairs = [part.strip() for part in rest.split(",")]
        if not name:
            raise ScriptError(f"Line {number}: which event happens?")
        properties: dict[str, Any] = {}
        for pair in pairs:
            if "=" not in pair:
                raise ScriptError(f"Line {number}: “{pair}” needs “property = value”.")
            key, value = pair.split("=", 1)
            properties[key.strip()] = scalar(value.strip())
        events.append(ScriptEvent(at=start + offset, name=name, properties=properties))
    return events


def default_script(document: Mapping[str, Any]) -> str:
    """The trigger event with values its filters accept: a first script that enters."""
    trigger = map_at(document, "trigger")
    event = str(trigger.get("event") or "Signed Up")
    parts = [event]
    for condition in list_at(trigger, "where"):
        if isinstance(condition, Mapping) and "property" in condition:
            value = condition.get("value")
            if isinstance(value, list) and value:
                value = value[0]
            if value is not None and condition.get("op") in {"eq", "in", "contains"}:
                parts.append(f"{condition['property']} = {value}")
    return "now: " + ", ".join(parts)


def timeline(
    simulation: Simulation, *, start: datetime, names: Mapping[str, str] | None = None
) -> tuple[list[Row], list[str]]:
    """The dry run in words, and the step ids it reached (in order); `names`: the steps'
    given names, by id."""
    rows: list[Row] = []
    reached: list[str] = []
    for entry in simulation.entries:
        offset = entry.at - start
        after = "at the start" if offset <= timedelta(0) else f"after {length_words(offset)}"
        text = _words(entry.kind, entry.text, names)
        if entry.kind == "step":
            reached.append(entry.text.split(" (", 1)[0])
        if text:
            rows.append(Row(after, text, entry.kind))
    return rows, reached


def _sent_words(text: str) -> str:
    """“would send sms, variant A” as staff read it: “a text message, variant A”."""
    key, comma, rest = text.removeprefix("would send ").partition(",")
    channel = get_channel(key)
    return (channel.noun if channel is not None else key) + comma + rest


def _words(kind: str, text: str, names: Mapping[str, str] | None = None) -> str:
    if kind == "step":
        return f"Reaches “{step_name(text.split(' (', 1)[0], names)}”"
    if kind == "send":
        return "Gets " + _sent_words(text)
    if kind == "event":
        return f"Does “{text}”"
    if kind == "wait":
        return "Waits " + _STAMP.sub(_staff_time, text)
    if kind in {"completed", "converted", "exited"}:
        return {"completed": "Finishes the journey", "converted": "Reaches the goal"}.get(
            kind, "Leaves the journey"
        ) + f" ({text})"
    if kind in {"entry", "refused"}:
        return text[:1].upper() + text[1:]
    return ""
