"""What a step can speak of: the events in a message's reach at a step, on each way there.

The one rule the checks, the picker, the preview and the delivery share: the trigger's
event is in reach everywhere; an awaited event only after the wait it ended (its "done"
way), never after the time ran out. Templates see each event in reach by name
(`{{ events["Signed Up"].plan }}`) and the newest of them as `{{ event.plan }}`.
See docs/builder.md ("What a step can speak of").
"""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from journeys.core.spec import JourneySpec
from journeys.core.steps import type_of


@dataclass(frozen=True)
class InReach:
    """An event a step can speak of, and the wait that brought it (None: the trigger)."""

    event: str
    wait: str | None = None


Scope = tuple[InReach, ...]


def scopes_at(journey: JourneySpec, step_id: str) -> tuple[Scope, ...]:
    """The events in reach at `step_id`, once for each different way of getting there
    (oldest first, the trigger's first); () when no way leads there."""
    start: Scope = (InReach(journey.trigger.event),)
    found: dict[Scope, None] = {}
    todo = deque([(journey.first_step.id, start)]) if journey.steps else deque()
    visited: set[tuple[str, Scope]] = set()
    while todo:
        at, scope = todo.popleft()
        if (at, scope) in visited or not journey.has_step(at):
            continue
        visited.add((at, scope))
        if at == step_id:
            found[scope] = None
        step = journey.step(at)
        for target, event in type_of(step).ways_out(step, journey):
            todo.append((target, _bring(scope, event, at) if event else scope))
    return tuple(found)


def _bring(scope: Scope, event: str, wait: str) -> Scope:
    """The scope with `event` as its newest (an event of that name seen before is replaced)."""
    return (*(item for item in scope if item.event != event), InReach(event, wait))


def names_in_reach(scopes: Sequence[Scope]) -> tuple[str, ...]:
    """Every event name in reach on some way, oldest first."""
    return tuple(dict.fromkeys(item.event for scope in scopes for item in scope))


def in_every_way(scopes: Sequence[Scope], event: str) -> bool:
    """Whether `event` is in reach however the contact got to the step."""
    return bool(scopes) and all(any(i.event == event for i in scope) for scope in scopes)


def event_values(snapshot: Mapping[str, Any]) -> dict[str, Any]:
    """An event as templates see it: its properties at the top (`event.plan`), and its
    `name`, `properties` and `timestamp`."""
    properties = dict(snapshot.get("properties") or {})
    return {
        **properties,
        "name": snapshot.get("name", ""),
        "properties": properties,
        "timestamp": snapshot.get("timestamp"),
    }


def templates_see(names: Sequence[str], seen: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """`event` and `events` for templates: of the events `seen` (snapshots by name), those
    in reach (`names`); `event` is the newest of them that came, by its own time (the one
    that moved the contact last), so "an ask answered on the way" is never taken for the
    awaited event that came after it."""
    events = {name: event_values(seen[name]) for name in names if name in seen}
    order = {name: position for position, name in enumerate(names)}
    newest = max(events, key=lambda name: (_when(seen[name]), order[name]), default=None)
    return {"event": events[newest] if newest is not None else {}, "events": events}


def _when(snapshot: Mapping[str, Any]) -> datetime:
    """A snapshot's own time (its ISO timestamp); the oldest possible when it has none."""
    try:
        stamp = datetime.fromisoformat(str(snapshot.get("timestamp")))
    except ValueError:
        return _NEVER
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


_NEVER = datetime.min.replace(tzinfo=UTC)


def variable(owner: str, key: str, fallback: str = "") -> str:
    """The template text that prints `key` of the contact (`owner` "") or of the event
    called `owner`, with `fallback` when it is empty."""
    default = f" | default: {quoted(fallback)}" if fallback else ""
    return "{{ " + value_path(owner, key) + default + " }}"


def value_path(owner: str, key: str) -> str:
    """Where a template finds `key` of the contact (`owner` "") or of the event `owner`."""
    top = f"events[{quoted(owner)}]" if owner else "contact"
    return top + (f".{key}" if key.isidentifier() else f"[{quoted(key)}]")


def quoted(text: str) -> str:
    """A Liquid string literal (Liquid has no escapes: the other quote, or a curly one)."""
    if '"' not in text:
        return f'"{text}"'
    return f"'{text}'" if "'" not in text else '"' + text.replace('"', "”") + '"'
