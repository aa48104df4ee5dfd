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
    """The events in reach at `step_id` as ways of getting there (oldest first, the
    trigger's first); () when no way leads there. Not every way is listed — a journey of
    twenty waits has a million — but the ways listed answer what callers ask exactly:
    which events are in reach on some way (`names_in_reach`), on every way
    (`in_every_way`), and which can be the newest (each way's last event)."""
    return _reach_of(journey).get(step_id, ())


@dataclass
class _Reach:
    some: dict[str, InReach]  # in reach on some way, in the order first met
    every: frozenset[str]  # in reach on every way
    newest: frozenset[str]  # the newest on some way


_CACHE: dict[int, tuple[JourneySpec, dict[str, tuple[Scope, ...]]]] = {}


def _reach_of(journey: JourneySpec) -> dict[str, tuple[Scope, ...]]:
    """Every step's scopes, worked out once per journey object (specs are immutable and
    the engine keeps one per version)."""
    cached = _CACHE.get(id(journey))
    if cached is not None and cached[0] is journey:
        return cached[1]
    found = {step: _as_scopes(reach) for step, reach in _reach(journey).items()}
    if len(_CACHE) >= 64:
        _CACHE.clear()
    _CACHE[id(journey)] = (journey, found)
    return found


def _reach(journey: JourneySpec) -> dict[str, _Reach]:
    """A forward pass to a fixed point: what is in reach grows, what is in every way
    shrinks, so it ends after a few visits of each step whatever the number of ways."""
    if not journey.steps:
        return {}
    trigger = InReach(journey.trigger.event)
    first = _Reach({trigger.event: trigger}, frozenset({trigger.event}), frozenset({trigger.event}))
    found: dict[str, _Reach] = {}
    todo = deque([(journey.first_step.id, first)])
    while todo:
        at, coming = todo.popleft()
        if not journey.has_step(at):
            continue
        known = found.get(at)
        merged = coming if known is None else _merge(known, coming)
        if merged == known:
            continue
        found[at] = merged
        step = journey.step(at)
        for target, event in type_of(step).ways_out(step, journey):
            todo.append((target, _brought(merged, event, at) if event else merged))
    return found


def _merge(known: _Reach, coming: _Reach) -> _Reach:
    some = known.some | {name: item for name, item in coming.some.items() if name not in known.some}
    return _Reach(some, known.every & coming.every, known.newest | coming.newest)


def _brought(reach: _Reach, event: str, wait: str) -> _Reach:
    """After the wait for `event` ended with it: it is in reach, on every way, the newest."""
    some = {name: item for name, item in reach.some.items() if name != event}
    some[event] = InReach(event, wait)
    return _Reach(some, reach.every | {event}, frozenset({event}))


def _as_scopes(reach: _Reach) -> tuple[Scope, ...]:
    """Ways that carry what `reach` knows: one with everything in reach, and one per
    possible newest event with only what every way has."""
    ordered = sorted(reach.newest, key=list(reach.some).index)
    full = (*(i for n, i in reach.some.items() if n != ordered[-1]), reach.some[ordered[-1]])
    scopes = {full: None}
    for name in ordered:
        rest = (i for n, i in reach.some.items() if n in reach.every and n != name)
        scopes[(*rest, reach.some[name])] = None
    return tuple(scopes)


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


def templates_see(
    names: Sequence[str], seen: Mapping[str, Mapping[str, Any]], moved_by: str | None = None
) -> dict[str, Any]:
    """`event` and `events` for templates: of the events `seen` (snapshots by name), those
    in reach (`names`); `event` is the one that moved the contact last (`moved_by`, as the
    engine knows it) when it is in reach, else the newest of them by its own time (the
    preview's sample). An ask answered on the way is never taken for the awaited event,
    and an upload done before it was asked for is still the one a later step thanks for."""
    events = {name: event_values(seen[name]) for name in names if name in seen}
    order = {name: position for position, name in enumerate(names)}
    newest = (
        moved_by
        if moved_by in events
        else max(events, key=lambda name: (_when(seen[name]), order[name]), default=None)
    )
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
