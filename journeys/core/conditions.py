"""Conditions: pure evaluation with self-explaining results, and the document form.
The operators they compare with live in journeys.core.operators.

`property` reads the event that last moved the enrollment (the trigger at entry), `trait`
reads the contact's traits, `event` looks through the contact's events. Dotted names
(`plan.tier`) reach into nested objects. See docs/journey-format.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from journeys.core.durations import format_duration, parse_duration
from journeys.core.operators import MISSING, OPERATORS, Operator
from journeys.core.problems import Reader, suggest

Scalar = str | int | float | bool
ConditionKind = Literal["property", "trait", "event"]


@dataclass(frozen=True)
class Condition:
    """`{"trait": "plan", "op": "in", "value": ["free", "trial"]}` and friends.

    `value` lists are stored as tuples. `where` and `within` only apply to event conditions
    (performed / not_performed).
    """

    kind: ConditionKind
    name: str
    op: str
    value: Scalar | tuple[Scalar, ...] | None = None
    where: tuple[Condition, ...] = ()
    within: timedelta | None = None


@dataclass(frozen=True)
class EventView:
    """An event as the engine sees it."""

    name: str
    properties: Mapping[str, Any] = field(default_factory=dict)
    timestamp: datetime | None = None
    id: int | str | None = None


@dataclass(frozen=True)
class Facts:
    """What conditions are evaluated against."""

    traits: Mapping[str, Any]
    properties: Mapping[str, Any]
    events: Sequence[EventView]
    now: datetime


@dataclass(frozen=True)
class ConditionResult:
    """One evaluated condition: the value seen, whether it held, and a sentence."""

    condition: Condition
    seen: Any
    held: bool
    explanation: str

    def __str__(self) -> str:
        return self.explanation


@dataclass(frozen=True)
class ConditionsResult:
    held: bool
    results: tuple[ConditionResult, ...]

    def explain(self) -> str:
        return "; ".join(result.explanation for result in self.results)


def lookup(data: Mapping[str, Any], name: str) -> Any:
    """`data[name]`, or the dotted path `a.b` through nested objects; MISSING if absent."""
    if name in data:
        return data[name]
    current: Any = data
    for part in name.split("."):
        if not isinstance(current, Mapping) or part not in current:
            return MISSING
        current = current[part]
    return current


def matching_events(
    events: Sequence[EventView],
    name: str,
    where: Sequence[Condition],
    *,
    now: datetime,
    since: datetime | None = None,
) -> list[EventView]:
    """The events called `name` whose properties meet `where`, at or after `since`."""
    found = []
    for event in events:
        if event.name != name:
            continue
        if since is not None and event.timestamp is not None and event.timestamp < since:
            continue
        facts = Facts(traits={}, properties=event.properties, events=(), now=now)
        if evaluate_all(where, facts).held:
            found.append(event)
    return found


def evaluate(condition: Condition, facts: Facts) -> ConditionResult:
    """Evaluate one condition and say, in words, what was seen and whether it held."""
    operator = OPERATORS[condition.op]
    if condition.kind == "event":
        since = facts.now - condition.within if condition.within else None
        found = matching_events(
            facts.events, condition.name, condition.where, now=facts.now, since=since
        )
        held = operator.test(len(found), None)
        return ConditionResult(condition, len(found), held, _explain_event(condition, found, held))
    source = facts.traits if condition.kind == "trait" else facts.properties
    seen = lookup(source, condition.name)
    held = operator.test(seen, condition.value)
    return ConditionResult(condition, seen, held, _explain(condition, seen, held))


def evaluate_all(
    conditions: Sequence[Condition], facts: Facts, *, match: str = "all"
) -> ConditionsResult:
    """All (or any) of the conditions; every one is evaluated so the trace is complete."""
    results = tuple(evaluate(condition, facts) for condition in conditions)
    combine = any if match == "any" and results else all
    return ConditionsResult(combine(result.held for result in results), results)


def describe(condition: Condition) -> str:
    """`trait plan is in [free, trial]` — the condition in words, without a value seen."""
    operator = OPERATORS[condition.op]
    if condition.kind == "event":
        text = f"{condition.name} {operator.words}"
        if condition.where:
            text += " where " + " and ".join(describe(where) for where in condition.where)
        if condition.within:
            text += f" within {format_duration(condition.within)}"
        return text
    subject = f"{condition.kind} {condition.name}"
    if operator.takes == "none":
        return f"{subject} {operator.words}"
    return f"{subject} {operator.words} {_show(condition.value)}"


def _explain(condition: Condition, seen: Any, held: bool) -> str:
    operator = OPERATORS[condition.op]
    text = f"{condition.kind} {condition.name} = {_show(seen)} {operator.words}"
    if operator.takes != "none":
        text += f" {_show(condition.value)}"
    return f"{text}: {'yes' if held else 'no'}"


def _explain_event(condition: Condition, found: Sequence[EventView], held: bool) -> str:
    times = [event.timestamp for event in found if event.timestamp is not None]
    last = f", last at {max(times):%Y-%m-%d %H:%M} UTC" if times else ""
    return f"{describe(condition)}: {len(found)} found{last}: {'yes' if held else 'no'}"


def _show(value: Any) -> str:
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_show(item) for item in value) + "]"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


KINDS = ("property", "trait", "event")
_KIND_WORDS = {
    "property": "a property of the event",
    "trait": "a trait of the contact",
    "event": "something the contact did",
}
_CONDITION_FIELDS = ("property", "trait", "event", "op", "value", "where", "within")


def parse_conditions(
    reader: Reader, values: Sequence[Any], path: str, *, kinds: Sequence[str] = KINDS
) -> tuple[Condition, ...]:
    """Parse a list of raw conditions at `path` (e.g. "trigger.where"); problems go to reader."""
    parsed = (
        parse_condition(reader, raw, f"{path}[{i}]", kinds=kinds) for i, raw in enumerate(values)
    )
    return tuple(condition for condition in parsed if condition is not None)


def parse_condition(
    reader: Reader, raw: Any, path: str, *, kinds: Sequence[str] = KINDS
) -> Condition | None:
    """One condition, or None after reporting what is wrong with it."""
    data = reader.obj(raw, path)
    if data is None:
        return None
    reader.only(data, path, _CONDITION_FIELDS)
    given = [kind for kind in KINDS if kind in data]
    if len(given) != 1:
        reader.add(
            path,
            "Test exactly one thing: a “trait” of the contact, a “property” of the event, "
            "or an “event” they did.",
        )
        return None
    kind = given[0]
    if kind not in kinds:
        allowed = " or ".join(_KIND_WORDS[k] for k in kinds)
        reader.add(f"{path}.{kind}", f"Only {allowed} can be tested here, not {_KIND_WORDS[kind]}.")
        return None
    name = reader.text(data, kind, path)
    op = _parse_op(reader, data, path, kind)
    if name is None or op is None:
        return None
    value = _parse_value(reader, data, path, OPERATORS[op])
    where: tuple[Condition, ...] = ()
    within = None
    if kind == "event":
        where = parse_conditions(
            reader, reader.items(data, "where", path), f"{path}.where", kinds=("property",)
        )
        within = _parse_within(reader, data, path)
    else:
        for key, words in (("where", "filters"), ("within", "a time window")):
            if key in data:
                reader.add(
                    f"{path}.{key}",
                    f"Only a test of something the contact did has {words}: remove it.",
                )
    return Condition(cast(ConditionKind, kind), name, op, value, where, within)


def _parse_op(reader: Reader, data: Mapping[str, Any], path: str, kind: str) -> str | None:
    op = reader.text(data, "op", path)
    if op is None:
        return None
    if op not in OPERATORS:
        every = ", ".join(f"{key} ({operator.words})" for key, operator in OPERATORS.items())
        hint = suggest(op, list(OPERATORS)) or f" Use one of: {every}."
        reader.add(f"{path}.op", f"There is no comparison called “{op}”.{hint}")
        return None
    if kind == "event" and not OPERATORS[op].for_events:
        reader.add(
            f"{path}.op",
            f"Something the contact did is compared with “performed” or “not_performed”, "
            f"not “{op}”.",
        )
        return None
    if kind != "event" and OPERATORS[op].for_events:
        reader.add(
            f"{path}.op",
            f"“{op}” is only for something the contact did: compare this with another, "
            "such as “eq” (is).",
        )
        return None
    return op


def _is_scalar(value: Any) -> bool:
    return isinstance(value, str | int | float | bool)


def _parse_value(reader: Reader, data: Mapping[str, Any], path: str, operator: Operator) -> Any:
    where = f"{path}.value"
    value = data.get("value")
    said = f"“{operator.key}” ({operator.words})"
    if operator.takes == "none":
        if "value" in data:
            reader.add(where, f"{said} compares with nothing: remove the value.")
        return None
    if operator.takes == "list":
        if not isinstance(value, list) or not value or not all(map(_is_scalar, value)):
            reader.add(
                where,
                f"{said} needs one or more texts or numbers between [ and ], "
                'like ["free", "trial"].',
            )
            return None
        return tuple(value)
    if operator.takes == "comparable":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            reader.add(where, f"{said} needs a number or a text to compare with.")
            return None
        return value
    if not _is_scalar(value):
        reader.add(where, f"{said} needs a value to compare with: a text, a number, true or false.")
        return None
    return value


def _parse_within(reader: Reader, data: Mapping[str, Any], path: str) -> Any:
    if "within" not in data:
        return None
    try:
        return parse_duration(data["within"])
    except ValueError as exc:
        reader.add(f"{path}.within", str(exc))
        return None


def dump_condition(condition: Condition) -> dict[str, Any]:
    """The JSON form of a condition; parse_condition reads it back unchanged."""
    data: dict[str, Any] = {condition.kind: condition.name, "op": condition.op}
    if isinstance(condition.value, tuple):
        data["value"] = list(condition.value)
    elif condition.value is not None:
        data["value"] = condition.value
    if condition.where:
        data["where"] = [dump_condition(where) for where in condition.where]
    if condition.within is not None:
        data["within"] = format_duration(condition.within)
    return data
