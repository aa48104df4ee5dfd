"""The format's problem paths (`steps[3].variants[0].body`) in the words of the builder
("“SMS nudge”, variant A, text"), and the step each one is about. Pure."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.builder.names import name_of

_PART = re.compile(r"([A-Za-z_]+)(?:\[(\d+)\])?")
_PLACES = {
    "trigger": "the trigger",
    "audience": "who may enter",
    "goal": "the goal",
    "exit": "the exit events",
    "reentry": "re-entry",
    "name": "the journey's name",
    "key": "the journey's short name",
    "format": "the file's format line",
    "steps": "the steps",
    "description": "the description",
}
_FIELDS = {
    "body": "text",
    "url": "link",
    "where": "filter",
    "conditions": "condition",
    "timeout": "time limit",
    "on_timeout": "path for people who don't do it in time",
    "then": "“yes” path",
    "else": "“no” path",
    "next": "next step",
    "paths": "path",
    "duration": "wait",
    "until": "wait",
    "within": "time window",
    "op": "comparison",
    "set": "traits",
    "to": "recipient",
    "id": "name",
    "cta": "button label",
    "replies": "button",
}


@dataclass(frozen=True)
class Place:
    """Where a problem is: the step it belongs to (or None) and the words for the spot."""

    step: str | None
    words: str


def place(document: Mapping[str, Any], path: str) -> Place:
    """`steps[3].variants[0].body` → Place("nudge", "“Nudge”, variant A, text")."""
    parts = [(m.group(1), m.group(2)) for m in _PART.finditer(path)]
    if not parts:
        return Place(None, "the journey")
    head, index = parts[0]
    if head == "steps" and index is not None:
        step = _item(document.get("steps"), int(index))
        step_id = str(step.get("id")) if step.get("id") else None
        words = [f"“{name_of(step)}”" if step_id else f"step {int(index) + 1}"]
        words += _field_words(step, parts[1:])
        return Place(step_id, ", ".join(words))
    words = [_PLACES.get(head, head.replace("_", " "))]
    if index is not None and head in {"exit", "audience"}:
        words.append(f"rule {int(index) + 1}")
    words += _field_words({}, parts[1:])
    return Place(None, ", ".join(words))


def _field_words(raw: Mapping[str, Any], parts: list[tuple[str, str | None]]) -> list[str]:
    words = []
    current: Any = raw
    for name, index in parts:
        if name == "variants" and index is not None:
            variants = current.get("variants") if isinstance(current, Mapping) else None
            variant = _item(variants, int(index))
            default = chr(ord("A") + int(index)) if int(index) < 26 else f"V{int(index) + 1}"
            words.append(f"variant {str(variant.get('name') or '').strip() or default}")
            current = variant
            continue
        label = _FIELDS.get(name, name.replace("_", " "))
        words.append(f"{label} {int(index) + 1}" if index is not None else label)
        current = {}
    return words


def _item(items: Any, index: int) -> Mapping[str, Any]:
    if isinstance(items, list) and 0 <= index < len(items) and isinstance(items[index], Mapping):
        return items[index]
    return {}
