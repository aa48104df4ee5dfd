"""Lay a journey out for the canvas: cards top to bottom, forks as side-by-side lanes.

Pure: it sees only nodes and their labelled outcomes (what each step type's editor says
a step can lead to), never a step type. A step with two or more outcomes opens lanes, one
per outcome, that run until the paths meet again (the fork's nearest post-dominator) and
carry on below as one. A path that reaches a step already drawn elsewhere shows a jump
("then goes to Nudge", or "goes back to" for a loop); steps nothing leads to are drawn
apart as "not connected". Every gap where a step could be inserted is a Slot.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

END = "\x00end"  # the end of the journey, as a graph node


@dataclass(frozen=True)
class Outcome:
    """One way out of a step: `key` names it for edits ("then"), `label` for people."""

    key: str
    label: str
    target: str | None  # a step id; None is the end of the journey


@dataclass(frozen=True)
class Node:
    id: str
    outcomes: tuple[Outcome, ...] = ()


@dataclass(frozen=True)
class Slot:
    """A "+" on the canvas: insert on `source`'s outcome `outcome`, before `target`.

    `source` None is the very start of the journey (before the first step).
    """

    source: str | None
    outcome: str | None
    target: str | None


@dataclass(frozen=True)
class Card:
    node: str
    slot: Slot | None  # the gap below the card; None when nothing follows (an exit)


@dataclass(frozen=True)
class Jump:
    """A path that goes on at a step drawn elsewhere; `back` when it closes a loop."""

    target: str
    back: bool


@dataclass(frozen=True)
class EndOfJourney:
    """The journey ends here without an exit step."""


@dataclass(frozen=True)
class Lane:
    outcome: Outcome
    slot: Slot
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Fork:
    node: str
    lanes: tuple[Lane, ...]
    join: str | None  # where the lanes meet again (None: they never do, or at the end)


Item = Card | Fork | Jump | EndOfJourney


@dataclass(frozen=True)
class Layout:
    start: Slot
    items: tuple[Item, ...]
    unconnected: tuple[tuple[Item, ...], ...] = ()
    order: tuple[str, ...] = field(default=())  # node ids in drawing order (the outline)

    def cards(self) -> Iterable[str]:
        """Every node id drawn, in drawing order."""
        return iter(self.order)


def lay_out(nodes: Sequence[Node]) -> Layout:
    """The canvas for nodes in list order; the first node is where the journey starts."""
    if not nodes:
        return Layout(start=Slot(None, None, None), items=(EndOfJourney(),))
    by_id = {node.id: node for node in nodes}
    ipdom = _immediate_post_dominators(nodes, by_id)
    walker = _Walker(by_id, ipdom)
    first = nodes[0].id
    items = walker.segment(first, stops=frozenset(), path=())
    unconnected = []
    for node in nodes:
        if node.id not in walker.placed:
            unconnected.append(tuple(walker.segment(node.id, stops=frozenset(), path=())))
    return Layout(
        start=Slot(None, None, first),
        items=tuple(items),
        unconnected=tuple(unconnected),
        order=tuple(walker.order),
    )


class _Walker:
    def __init__(self, by_id: dict[str, Node], ipdom: dict[str, str]) -> None:
        self.by_id, self.ipdom = by_id, ipdom
        self.placed: set[str] = set()
        self.order: list[str] = []

    def segment(
        self, start: str | None, *, stops: frozenset[str], path: tuple[str, ...]
    ) -> list[Item]:
        """Items from `start` until a step in `stops` (where an enclosing fork joins)."""
        items: list[Item] = []
        current = _node_key(start)
        while current not in stops:
            if current == END:
                items.append(EndOfJourney())
                return items
            if current not in self.by_id:
                return items  # a missing step: validation names it; nothing to draw
            if current in self.placed:
                items.append(Jump(current, back=current in path))
                return items
            self.placed.add(current)
            self.order.append(current)
            path = (*path, current)
            node = self.by_id[current]
            if not node.outcomes:
                items.append(Card(current, None))
                return items
            if len(node.outcomes) == 1:
                outcome = node.outcomes[0]
                items.append(Card(current, Slot(current, outcome.key, outcome.target)))
                current = _node_key(outcome.target)
                continue
            join = self.ipdom.get(current, END)
            lane_stops = stops if join == END else stops | {join}
            lanes = tuple(
                Lane(
                    outcome=outcome,
                    slot=Slot(current, outcome.key, outcome.target),
                    items=tuple(self.segment(outcome.target, stops=lane_stops, path=path)),
                )
                for outcome in node.outcomes
            )
            items.append(Fork(current, lanes, None if join == END else join))
            if join == END:
                return items
            current = join
        return items


def _node_key(target: str | None) -> str:
    return END if target is None else target


def _immediate_post_dominators(nodes: Sequence[Node], by_id: dict[str, Node]) -> dict[str, str]:
    """Each node's nearest post-dominator: where its paths meet again (END when they only
    meet at the end).

    When the paths meet only at the end, paths that stop at an exit step are left out,
    so the lanes that go on still join. An exit step that every path reaches is a real
    meeting point: a step on one lane is drawn in that lane, not below the fork.
    """
    successors = {
        node.id: [_node_key(o.target) if o.target in by_id else END for o in node.outcomes] or [END]
        for node in nodes
    }
    sinks = {node.id for node in nodes if not node.outcomes}
    going_on = {
        node_id: [target for target in targets if target not in sinks] or targets
        for node_id, targets in successors.items()
    }
    meeting = _post_dominators(nodes, successors)
    skipping_exits = _post_dominators(nodes, going_on)
    ends = _reaching_end(successors)
    return {
        node_id: (
            END
            if node_id not in ends  # a loop with no way out
            else meeting[node_id]
            if meeting[node_id] != END
            else skipping_exits[node_id]
        )
        for node_id in by_id
    }


def _post_dominators(nodes: Sequence[Node], successors: dict[str, list[str]]) -> dict[str, str]:
    """Each node's nearest post-dominator along `successors`.

    Sets of post-dominators are bit masks; the iteration runs to a fixed point, which a
    graph with loops reaches too.
    """
    ids = [END, *successors]
    bit = {node_id: 1 << index for index, node_id in enumerate(ids)}
    everything = (1 << len(ids)) - 1
    pdom = {node_id: everything for node_id in successors} | {END: bit[END]}
    changed = True
    while changed:
        changed = False
        for node in reversed(nodes):
            meet = everything
            for target in successors[node.id]:
                meet &= pdom[target]
            value = meet | bit[node.id]
            if value != pdom[node.id]:
                pdom[node.id], changed = value, True
    nearest = {}
    for node_id in successors:
        strict = pdom[node_id] & ~bit[node_id]
        candidates = [other for other in ids if strict & bit[other]]
        nearest[node_id] = max(candidates, key=lambda other: pdom[other].bit_count())
    return nearest


def _reaching_end(successors: dict[str, list[str]]) -> set[str]:
    predecessors: dict[str, list[str]] = {}
    for node_id, targets in successors.items():
        for target in targets:
            predecessors.setdefault(target, []).append(node_id)
    reached, todo = {END}, [END]
    while todo:
        for node_id in predecessors.get(todo.pop(), []):
            if node_id not in reached:
                reached.add(node_id)
                todo.append(node_id)
    return reached
