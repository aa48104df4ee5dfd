"""Structural edits of a draft document: insert, delete, move and rename steps.

Pure: it works on raw "stepwise.journey/1" documents (valid or not) and on the outcomes
each step type's editor says a step has (`Outlets`). Before an edit every path is made
explicit, so moving a step in the list never changes where another step leads; after it
`next` is dropped again where it only names the step below. A path that must end while
its step is not last in the list goes to an "End" step, added when needed.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from journeys.core.steps import STEP_TYPES, end_type

Raw = dict[str, Any]
# step -> the outcome keys it has ("next", "then", "else", "on_timeout", "paths.0")
Outlets = Callable[[Mapping[str, Any]], Sequence[str]]
END_ID = "End"
_ID_CHARS = re.compile(r"[^A-Za-z0-9_-]+")


class EditRefused(ValueError):
    """An edit that cannot be made as asked; the message says why in plain words."""


def list_at(raw: Mapping[str, Any], key: str) -> list[Any]:
    """raw[key] when it is a list, else [] (drafts may hold anything)."""
    value = raw.get(key)
    return value if isinstance(value, list) else []


def map_at(raw: Mapping[str, Any], key: str) -> dict[str, Any]:
    """raw[key] when it is an object, else {}."""
    value = raw.get(key)
    return dict(value) if isinstance(value, Mapping) else {}


def steps_of(document: Mapping[str, Any]) -> list[Raw]:
    steps = document.get("steps")
    return [step for step in steps if isinstance(step, dict)] if isinstance(steps, list) else []


def read_target(step: Mapping[str, Any], key: str) -> Any:
    if key.startswith("paths."):
        paths = list_at(step, "paths")
        index = int(key.split(".", 1)[1])
        item = paths[index] if index < len(paths) and isinstance(paths[index], dict) else {}
        return item.get("next")
    return step.get(key)


def targets(document: Mapping[str, Any], outlets: Outlets) -> dict[str, dict[str, str | None]]:
    """Every step's outcomes with where each one leads (None: the end of the journey)."""
    steps = steps_of(document)
    ids = [str(step.get("id", "")) for step in steps]
    found: dict[str, dict[str, str | None]] = {}
    for position, step in enumerate(steps):
        below = ids[position + 1] if position + 1 < len(ids) else None
        outs: dict[str, str | None] = {}
        keys = list(outlets(step))
        for key in keys:
            value = read_target(step, key)
            if isinstance(value, str) and value:
                outs[key] = value
            elif key == "on_timeout":
                outs[key] = outs.get("next", below) if "next" in keys else below
            else:
                outs[key] = below
        found[ids[position]] = outs
    return found


def reachable(graph: Mapping[str, Mapping[str, str | None]], first: str | None) -> set[str]:
    reached: set[str] = set()
    todo = [first] if first else []
    while todo:
        node = todo.pop()
        if node in reached or node not in graph:
            continue
        reached.add(node)
        todo.extend(target for target in graph[node].values() if target)
    return reached


def _write(
    document: Mapping[str, Any],
    order: Sequence[Raw],
    graph: Mapping[str, Mapping[str, str | None]],
) -> Raw:
    """The document with steps in `order` and every outcome of `graph` written back."""
    steps = [copy.deepcopy(step) for step in order]
    ids = [str(step.get("id", "")) for step in steps]
    end_id = _end_step(steps)
    for _attempt in range(2):
        plan, needs_end = _plan(ids, graph)
        if not needs_end or end_id is not None:
            break
        end_id = fresh_id(ids, END_ID)
        steps.append(end_type().blank() | {"id": end_id})
        ids.append(end_id)
    for step_id, step, writes in zip(ids, steps, plan, strict=True):
        for key, target in writes.items():
            value = end_id if target is _END else target
            if value is None and read_target(step, key) == graph[step_id][key]:
                continue  # already says where it goes, explicitly: leave it as written
            if key.startswith("paths."):
                paths = step.setdefault("paths", [])
                index = int(key.split(".", 1)[1])
                while len(paths) <= index:
                    paths.append({"percent": 0})
                paths[index]["next"] = value
            elif value is None:
                step.pop(key, None)
            else:
                step[key] = value
    return dict(document) | {"steps": steps}


_END = object()


def _plan(
    ids: Sequence[str], graph: Mapping[str, Mapping[str, str | None]]
) -> tuple[list[dict[str, Any]], bool]:
    """What to write for each step's outcomes (None: leave the field out; _END: the end)."""
    plan: list[dict[str, Any]] = []
    needs_end = False
    for position, step_id in enumerate(ids):
        below = ids[position + 1] if position + 1 < len(ids) else None
        outs = graph.get(step_id, {})
        writes: dict[str, Any] = {}
        for key, target in outs.items():
            implied: object
            if key == "on_timeout":
                implied = outs.get("next", below)
            elif key.startswith("paths."):
                implied = _END  # a path always names its step
            else:
                implied = below
            if target == implied:
                writes[key] = None
            elif target is None:
                writes[key] = _END
                needs_end = True
            else:
                writes[key] = target
        plan.append(writes)
    return plan, needs_end


def _end_step(steps: Sequence[Raw]) -> str | None:
    for step in steps:
        if ends_journey(step):
            return str(step.get("id"))
    return None


def ends_journey(raw: Mapping[str, Any]) -> bool:
    """Whether the raw step is of the type that ends a path (the exit)."""
    step_type = STEP_TYPES.get(str(raw.get("type", "")))
    return step_type is not None and step_type.ends_journey


def fresh_id(taken: Sequence[str], wanted: str) -> str:
    """A step id from a name ("SMS nudge" → "SMS_nudge", "Café: day 2" → "Cafe_day_2"),
    unique in the journey. The name itself is kept as typed (`named`)."""
    ascii_letters = unicodedata.normalize("NFKD", wanted).encode("ascii", "ignore").decode()
    base = _ID_CHARS.sub("_", ascii_letters.strip()).strip("_")[:56] or "Step"
    if base not in taken:
        return base
    number = 2
    while f"{base}_{number}" in taken:
        number += 1
    return f"{base}_{number}"


def insert_step(
    document: Mapping[str, Any],
    *,
    source: str | None,
    outcome: str | None,
    new_step: Mapping[str, Any],
    outlets: Outlets,
) -> Raw:
    """`new_step` on `source`'s `outcome` (None: at the very start), leading where it led."""
    steps = steps_of(document)
    graph = targets(document, outlets)
    ids = [str(step.get("id", "")) for step in steps]
    step = dict(new_step)
    step["id"] = fresh_id(ids, str(step.get("id") or "Step"))
    new_keys = list(outlets(step))
    if source is None:
        old_first = ids[0] if ids else None
        position = 0
        graph[step["id"]] = {key: old_first for key in new_keys}
    else:
        if source not in graph or outcome not in graph[source]:
            raise EditRefused("That place in the journey has changed; the canvas was redrawn.")
        target = graph[source][outcome]
        graph[source] = dict(graph[source]) | {outcome: step["id"]}
        graph[step["id"]] = {key: target for key in new_keys}
        position = ids.index(source) + 1
    order = [*steps[:position], step, *steps[position:]]
    return _write(document, order, graph)


def delete_step(document: Mapping[str, Any], step_id: str, *, outlets: Outlets) -> Raw:
    """The document without `step_id`; whatever led to it goes where its first path went."""
    steps = steps_of(document)
    graph = targets(document, outlets)
    if step_id not in graph:
        raise EditRefused("That step is no longer in the journey.")
    outs = list(graph.pop(step_id).values())
    replacement = outs[0] if outs else None
    if replacement == step_id:
        replacement = None
    for outs_of in graph.values():
        for key, target in outs_of.items():
            if target == step_id:
                outs_of[key] = replacement
    order = [step for step in steps if step.get("id") != step_id]
    if steps and steps[0].get("id") == step_id and replacement is not None:
        # The journey starts at the first step: what came after the deleted start comes first.
        order.sort(key=lambda step: step.get("id") != replacement)
    return _write(document, order, graph)


def orphaned_by_delete(document: Mapping[str, Any], step_id: str, *, outlets: Outlets) -> list[str]:
    """The steps nobody could reach any more once `step_id` is deleted, in list order."""
    graph = targets(document, outlets)
    ids = list(graph)
    if not ids or step_id not in graph:
        return []
    before = reachable(graph, ids[0])
    after_doc = delete_step(document, step_id, outlets=outlets)
    after_graph = targets(after_doc, outlets)
    after_ids = list(after_graph)
    after = reachable(after_graph, after_ids[0] if after_ids else None)
    return [node for node in ids if node in before and node != step_id and node not in after]


def move_step(
    document: Mapping[str, Any], step_id: str, direction: int, *, outlets: Outlets
) -> Raw:
    """Swap a step with the one before it (-1) or after it (+1) on its path.

    Only along a straight stretch: the two steps must have one way out each, and the
    lower one must be reached only from the upper one."""
    graph = targets(document, outlets)
    if step_id not in graph:
        raise EditRefused("That step is no longer in the journey.")
    if direction > 0:
        outs = list(graph[step_id].values())
        if len(outs) != 1 or outs[0] is None:
            raise EditRefused("This step is already the last on its path.")
        return move_step(document, outs[0], -1, outlets=outlets)
    parents = [node for node, outs in graph.items() if step_id in outs.values()]
    ids = list(graph)
    if not parents:
        raise EditRefused("This step is already the first on its path.")
    if len(parents) > 1:
        raise EditRefused("Several paths lead to this step, so it cannot move up.")
    upper = parents[0]
    if len(graph[upper]) != 1:
        raise EditRefused("This step is the first on its path: the step above it splits.")
    if len(graph[step_id]) != 1:
        raise EditRefused("A step with several paths moves with its paths: move the others.")
    below = next(iter(graph[step_id].values()))
    (upper_key,) = graph[upper]
    (lower_key,) = graph[step_id]
    for node, node_outs in graph.items():
        for key, target in node_outs.items():
            if target == upper and node != step_id:
                node_outs[key] = step_id
    graph[step_id] = {lower_key: upper}
    graph[upper] = {upper_key: below}
    steps = steps_of(document)
    by_id = {str(step.get("id")): step for step in steps}
    position_upper, position_lower = ids.index(upper), ids.index(step_id)
    order_ids = list(ids)
    order_ids[position_upper], order_ids[position_lower] = step_id, upper
    if ids[0] == upper:
        order_ids.remove(step_id)
        order_ids.insert(0, step_id)
    return _write(document, [by_id[node] for node in order_ids], graph)


def rename_step(
    document: Mapping[str, Any], step_id: str, name: str, *, outlets: Outlets
) -> tuple[Raw, str]:
    """Give a step a new name (its id follows it, and every path to it too)."""
    steps = steps_of(document)
    ids = [str(step.get("id", "")) for step in steps]
    if step_id not in ids:
        raise EditRefused("That step is no longer in the journey.")
    new_id = fresh_id([i for i in ids if i != step_id], name)
    if new_id == step_id:
        return dict(document), step_id
    graph = targets(document, outlets)
    graph[new_id] = graph.pop(step_id)
    for outs in graph.values():
        for key, target in outs.items():
            if target == step_id:
                outs[key] = new_id
    renamed = [
        named(step | {"id": new_id}, name) if step.get("id") == step_id else step for step in steps
    ]
    graph = {node: graph[node] for node in [new_id if i == step_id else i for i in ids]}
    return _write(document, renamed, graph), new_id


def named(step: Mapping[str, Any], name: str) -> Raw:
    """The raw step with its name as typed, punctuation and all; no "name" when the id
    spells it already ("Welcome_email" for “Welcome email”)."""
    kept = {key: value for key, value in step.items() if key != "name"}
    if name and name.replace(" ", "_") != kept.get("id"):
        kept["name"] = name
    return kept


def replace_step(
    document: Mapping[str, Any], step_id: str, new_step: Mapping[str, Any], *, outlets: Outlets
) -> Raw:
    """The step's own fields replaced (its paths kept; new outcomes lead where `next` did)."""
    steps = steps_of(document)
    graph = targets(document, outlets)
    if step_id not in graph:
        raise EditRefused("That step is no longer in the journey.")
    old = graph[step_id]
    fallback = old.get("next", next(iter(old.values()), None))
    step = dict(new_step) | {"id": step_id}
    graph[step_id] = {key: old.get(key, fallback) for key in outlets(step)}
    order = [step if s.get("id") == step_id else s for s in steps]
    return _write(document, order, graph)


def duplicate_step(document: Mapping[str, Any], step_id: str, *, outlets: Outlets) -> Raw:
    """A copy of the step right after it on its first path ("Welcome email copy")."""
    steps = steps_of(document)
    original = next((step for step in steps if step.get("id") == step_id), None)
    if original is None:
        raise EditRefused("That step is no longer in the journey.")
    keys = list(outlets(original))
    if not keys:
        raise EditRefused("The end of a journey cannot be copied: nothing comes after it.")
    copy_of = {k: copy.deepcopy(v) for k, v in original.items() if k not in _PATH_FIELDS}
    copy_of["id"] = f"{step_id}_copy"
    if isinstance(original.get("name"), str) and original["name"]:
        copy_of["name"] = f"{original['name']} copy"
    if "paths" in copy_of:
        copy_of["paths"] = [
            {k: v for k, v in path.items() if k != "next"}
            for path in list_at(copy_of, "paths")
            if isinstance(path, dict)
        ]
    return insert_step(document, source=step_id, outcome=keys[0], new_step=copy_of, outlets=outlets)


_PATH_FIELDS = frozenset({"next", "then", "else", "on_timeout"})
