"""A journey's funnel from its counters, in the journey's real order. Pure: no ORM.

`Totals` are the counters summed over the chosen versions and entry days, keyed by step
id (the spec's; "" for the journey as a whole), arm and metric. The order is the order a
contact can take: by the longest walk from the first step (loops ignored), then list
order; a step reached only through one path of a split or branch sits in that path's
lane."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from channels.registry import channel_facts
from journeys.core import report_counters as m
from journeys.core.format import successors
from journeys.core.spec import JourneySpec
from journeys.core.steps import STEP_TYPES, type_of
from journeys.core.steps.base import step_label

Totals = Mapping[tuple[str, str, str], int]
FINISH_STATES = ("converted", "completed", "exited", "failed")


@dataclass(frozen=True)
class Place:
    step_id: str
    depth: int
    lane: int  # 0: everyone; 1, 2, …: one path of a split or branch
    lane_label: str  # "Path 2 of Holdout", "" for lane 0


@dataclass
class StepFigures:
    id: str
    name: str
    type: str
    place: Place
    reached: int
    visits: int
    waiting: int
    ended: dict[str, int]
    gap_median: float | None
    gap_p90: float | None
    percent_of_entrants: float
    summary: str = ""
    wait_over: int = 0  # of those waiting here, how many can no longer move on by waiting
    is_end: bool = False  # the journey ends here (no drop-off at an end)
    gaps: dict[int, int] = field(default_factory=dict)  # time-to-next-step histogram

    @property
    def ends_journey(self) -> bool:
        """Whether the step ends a path: the people who "left" here finished."""
        step_type = STEP_TYPES.get(self.type)
        return step_type is not None and step_type.ends_journey

    @property
    def left(self) -> int:
        """Trips that ended here without converting (exited, failed, or completed)."""
        return sum(n for state, n in self.ended.items() if state != "converted")

    @property
    def in_progress(self) -> int:
        """Still here with their wait not over: not a drop-off (yet)."""
        return max(0, self.waiting - self.wait_over)

    @property
    def stopped(self) -> int:
        """Drop-off at this step: left here (exited, failed), or their wait is over."""
        return self.left + min(self.wait_over, self.waiting)


@dataclass
class Funnel:
    entered: int
    converted: int
    ttc_median: float | None
    ttc_p90: float | None
    ttc: dict[int, int] = field(default_factory=dict)  # time-to-convert histogram
    steps: list[StepFigures] = field(default_factory=list)
    completed: int = 0  # trips that finished the journey (ended "completed" anywhere)

    @property
    def conversion_rate(self) -> float:
        return self.converted / self.entered if self.entered else 0.0


def journey_order(spec: JourneySpec) -> list[Place]:
    """Every step in the order contacts go through them, with its lane."""
    steps = list(spec.steps)
    graph = {step.id: successors(steps, i) for i, step in enumerate(steps)}
    depth = _depths(spec.first_step.id, graph)
    parents: dict[str, list[str]] = defaultdict(list)
    for source, targets in graph.items():
        for target in targets:
            if depth.get(target, -1) > depth.get(source, -1):
                parents[target].append(source)
    lanes: dict[str, tuple[int, str]] = {}
    next_lane = 1
    ordered = sorted(
        (s for s in steps if s.id in depth), key=lambda s: (depth[s.id], spec.position(s.id))
    )
    for step in ordered:
        above = parents.get(step.id, [])
        if len(above) != 1:
            lanes[step.id] = (0, "")
            continue
        parent = above[0]
        if len(graph[parent]) > 1:
            lanes[step.id] = (next_lane, _lane_label(spec, parent, step.id))
            next_lane += 1
        else:
            lanes[step.id] = lanes.get(parent, (0, ""))
    places = [Place(s.id, depth[s.id], *lanes[s.id]) for s in ordered]
    unreachable = [s for s in steps if s.id not in depth]
    return places + [Place(s.id, len(steps), 0, "") for s in unreachable]


_FIELD_WORDS = {"then": "yes", "else": "no", "on_timeout": "timed out", "next": "went on"}


def _lane_label(spec: JourneySpec, parent_id: str, step_id: str) -> str:
    """ "Holdout: path 2", "Pro: no", "Wait upload: timed out"."""
    parent = spec.step(parent_id)
    fields = [name for name, target in type_of(parent).targets(parent) if target == step_id]
    name = fields[0] if fields else "next"
    if name.startswith("paths["):
        word = f"path {int(name[6 : name.index(']')]) + 1}"
    else:
        word = _FIELD_WORDS.get(name, "went on")
    return f"{parent.name or step_label(parent_id)}: {word}"


def _depths(start: str, graph: Mapping[str, list[str]]) -> dict[str, int]:
    """Longest distance from `start` along edges that do not close a loop."""
    order: list[str] = []
    seen: set[str] = set()
    on_path: set[str] = set()
    back: set[tuple[str, str]] = set()

    def visit(node: str) -> None:  # depth-first, marking back edges
        seen.add(node)
        on_path.add(node)
        for target in graph.get(node, []):
            if target in on_path:
                back.add((node, target))
            elif target not in seen:
                visit(target)
        on_path.discard(node)
        order.append(node)

    visit(start)
    depth = {start: 0}
    for node in reversed(order):  # topological order of the loop-free graph
        for target in graph.get(node, []):
            if (node, target) not in back:
                depth[target] = max(depth.get(target, 0), depth[node] + 1)
    return depth


def histogram(totals: Totals, step: str, name: str, arm: str = m.NO_ARM) -> dict[int, int]:
    """A time histogram (bucket -> count) of one step ("" the journey) and arm."""
    found: dict[int, int] = {}
    for (step_id, arm_key, metric), n in totals.items():
        if step_id == step and arm_key == arm:
            metric_name, bucket = m.split_metric(metric)
            if metric_name == name and n:
                found[int(bucket)] = found.get(int(bucket), 0) + n
    return found


def build_funnel(
    spec: JourneySpec, totals: Totals, wait_over: Mapping[str, int] | None = None
) -> Funnel:
    """The funnel of `spec`'s steps from these counters; `wait_over` is, per step, how
    many contacts waiting there are past their wait (journeys.reports.selectors)."""
    entered = totals.get(("", m.NO_ARM, m.ENTERED), 0)
    ttc = histogram(totals, "", m.TIME_TO_CONVERT)
    funnel = Funnel(
        entered=entered,
        converted=totals.get(("", m.NO_ARM, m.CONVERTED), 0),
        ttc_median=m.percentile(ttc, 0.5),
        ttc_p90=m.percentile(ttc, 0.9),
        ttc=ttc,
    )
    for place in journey_order(spec):
        step = spec.step(place.step_id)
        gaps = histogram(totals, step.id, m.GAP)
        reached = totals.get((step.id, m.NO_ARM, m.REACHED), 0)
        funnel.steps.append(
            StepFigures(
                id=step.id,
                name=step.name or step_label(step.id),
                type=step.type,
                place=place,
                reached=reached,
                visits=totals.get((step.id, m.NO_ARM, m.VISITS), 0),
                waiting=totals.get((step.id, m.NO_ARM, m.WAITING), 0),
                ended={
                    state: totals.get((step.id, m.NO_ARM, m.ended_metric(state)), 0)
                    for state in FINISH_STATES
                },
                gap_median=m.percentile(gaps, 0.5),
                gap_p90=m.percentile(gaps, 0.9),
                percent_of_entrants=100 * reached / entered if entered else 0.0,
                summary=type_of(step).summary(step, spec, channel_facts()),
                wait_over=(wait_over or {}).get(step.id, 0),
                is_end=not successors(spec.steps, spec.position(step.id)),
                gaps=gaps,
            )
        )
    funnel.completed = totals.get(("", m.NO_ARM, m.ended_metric("completed")), 0) + sum(
        s.ended["completed"] for s in funnel.steps
    )
    return funnel
