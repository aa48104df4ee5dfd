"""How the builder names things on screen: steps, conditions and lengths of time.

Pure. The format's ids and ISO texts never reach the page; these words do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from journeys.builder.words import length_words
from journeys.core.conditions import Condition, parse_condition
from journeys.core.durations import parse_duration
from journeys.core.operators import OPERATORS
from journeys.core.problems import Reader
from journeys.core.steps.base import step_label


def step_name(step_id: str | None, names: Mapping[str, str] | None = None) -> str:
    """A step as staff read it: its given name in `names` (`draft_names` of the document),
    else its id in words ("wait_upload" → "Wait upload"); None → "the end"."""
    return step_label(step_id, names)


def draft_names(document: Mapping[str, Any]) -> dict[str, str]:
    """The names the draft's steps were given, punctuation and all, by step id."""
    steps = document.get("steps")
    found: dict[str, str] = {}
    for step in steps if isinstance(steps, list) else []:
        if isinstance(step, Mapping) and isinstance(step.get("name"), str) and step["name"]:
            found[str(step.get("id", ""))] = step["name"]
    return found


def draft_step_name(document: Mapping[str, Any], step_id: str) -> str:
    """The name of the draft's step `step_id` as staff read it."""
    return step_name(step_id, draft_names(document))


def name_of(raw: Mapping[str, Any]) -> str:
    """A raw step's name as staff read it."""
    name = raw.get("name")
    return name if isinstance(name, str) and name else step_label(str(raw.get("id", "")))


def condition_words(raw: Any, *, of_event: bool = False) -> str:
    """A raw condition in words ("plan is “pro”"), read by the format's own parser.

    `of_event`: the condition filters an event's own properties (a trigger's or a wait's),
    so "the event's" goes without saying."""
    if not isinstance(raw, Mapping):
        return "(an unreadable condition)"
    reader = Reader()
    condition = parse_condition(reader, raw, "condition")
    if condition is None:
        return "(an unfinished condition)"
    return condition_sentence(condition, of_event=of_event)


def condition_sentence(condition: Condition, *, of_event: bool = False) -> str:
    """ "plan is free or trial", "the event's plan is pro", "did “Created Note” in 7 days"."""
    operator = OPERATORS[condition.op]
    if condition.kind == "event":
        text = (
            f"did {_quote(condition.name)}"
            if condition.op == "performed"
            else (f"never did {_quote(condition.name)}")
        )
        if condition.where:
            filters = (condition_sentence(w, of_event=True) for w in condition.where)
            text += " where " + " and ".join(filters)
        if condition.within:
            text += f" in the last {length_words(condition.within)}"
        return text
    own = condition.kind == "trait" or of_event
    subject = condition.name if own else f"the event's {condition.name}"
    if operator.takes == "none":
        return f"{subject} {operator.words}"
    return f"{subject} {_verb(condition.op, operator.words)} {value_words(condition.value)}"


def _verb(op: str, words: str) -> str:
    return {"in": "is", "not_in": "is not"}.get(op, words)


def value_words(value: Any) -> str:
    """A condition's value: "pro", "free or trial", "18", "yes"."""
    if isinstance(value, tuple | list):
        items = [value_words(item) for item in value]
        return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" or {items[-1]}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str):
        return _quote(value)
    return str(value)


def _quote(text: str) -> str:
    return f"“{text}”"


def duration_text(iso: str) -> str:
    """ "P2D" → "2 days"; text that is not a duration comes back quoted as it is."""
    try:
        return length_words(parse_duration(iso))
    except ValueError:
        return f"“{iso}”"
