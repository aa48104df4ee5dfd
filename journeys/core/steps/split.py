"""The split step: stable random paths by percent (A/B tests, a holdout)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.core.assignment import choose_path
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import (
    NO_CHANNELS,
    Channels,
    Move,
    ParseContext,
    StepType,
    Walk,
    step_label,
    step_names,
)
from journeys.core.steps.form import FormField
from journeys.core.steps.registry import type_of


@dataclass(frozen=True)
class SplitPath:
    percent: int
    next: str


@dataclass(frozen=True, kw_only=True)
class SplitStep(StepSpec):
    """Stable random paths by percent, e.g. a 10 % holdout."""

    type = "split"
    paths: tuple[SplitPath, ...]


class Split(StepType[SplitStep]):
    key, spec, order, has_next = "split", SplitStep, 50, False
    label = "Split into groups"
    description = "Send each contact down one of several paths by percent, e.g. a holdout."
    fields = ("paths",)
    no_next = "A split goes on through its paths: remove “next”."
    look = "fork"
    form = (
        FormField(
            "percents",
            "Share of contacts on each path",
            "percents",
            help="Percentages adding up to 100, e.g. “90, 10” for a 10 % holdout.",
            max_length=100,
        ),
    )
    blank_step = {"id": "Split", "paths": [{"percent": 50}, {"percent": 50}]}

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        raw_paths = reader.items(raw, "paths", path)
        if len(raw_paths) < 2:
            reader.add(f"{path}.paths", "Add at least two paths.")
            return None
        paths = []
        for i, item in enumerate(raw_paths):
            where = f"{path}.paths[{i}]"
            data = reader.obj(item, where)
            if data is None:
                continue
            reader.only(data, where, ("percent", "next"))
            percent = data.get("percent")
            target = reader.text(data, "next", where)
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent < 100:
                reader.add(f"{where}.percent", "Write a whole number from 1 to 99.")
            elif target is not None:
                paths.append(SplitPath(percent=percent, next=target))
        if len(paths) != len(raw_paths):
            return None
        total = sum(p.percent for p in paths)
        if total != 100:
            reader.add(f"{path}.paths", f"The paths add up to {total} %: make them add up to 100.")
            return None
        return {"paths": tuple(paths)}

    def dump(self, step: SplitStep) -> dict[str, Any]:
        return {"paths": [{"percent": p.percent, "next": p.next} for p in step.paths]}

    def targets(self, step: SplitStep) -> list[tuple[str, str]]:
        return [(f"paths[{i}].next", p.next) for i, p in enumerate(step.paths)]

    def run(self, step: SplitStep, walk: Walk) -> Move:
        index = choose_path(walk.state.contact.id, walk.spec.key, step)
        path = step.paths[index]
        walk.note("split", f"split {step.id}: path {index + 1} ({path.percent} %) → {path.next}")
        return Move(f"path {index + 1}", path.next)

    def arm(self, step: SplitStep, outcome: str, journey: JourneySpec) -> tuple[str, bool] | None:
        number = outcome.removeprefix("path ")
        if not number.isdigit() or not 0 < int(number) <= len(step.paths):
            return None
        target = step.paths[int(number) - 1].next
        return outcome, journey.has_step(target) and type_of(journey.step(target)).ends_journey

    # --- the builder ----------------------------------------------------------------

    def form_values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return {"percents": [p.get("percent") for p in _raw_paths(raw)]}

    def from_form(self, raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        old = _raw_paths(raw)
        paths = [
            (dict(old[i]) if i < len(old) else {}) | {"percent": percent}
            for i, percent in enumerate(values["percents"])
        ]
        return {"id": raw.get("id"), "type": self.key, "paths": paths}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return [f"paths.{index}" for index in range(len(_raw_paths(raw)))]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        paths = _raw_paths(raw)
        index = int(key.split(".")[1])
        return f"{paths[index].get('percent') if index < len(paths) else '?'} %"

    def summary(
        self, step: SplitStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        names = step_names(journey.steps)
        arms = ", ".join(f"{p.percent} % go to {step_label(p.next, names)}" for p in step.paths)
        return f"Split: {arms}"


def _raw_paths(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    paths = raw.get("paths")
    return [p for p in paths if isinstance(p, Mapping)] if isinstance(paths, list) else []


STEP_TYPE = Split()
