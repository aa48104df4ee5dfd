"""The branch step: `then` when its conditions hold (all, or any), else `else`."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from journeys.core.conditions import (
    Condition,
    describe,
    dump_condition,
    evaluate_all,
    parse_conditions,
)
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


@dataclass(frozen=True, kw_only=True)
class BranchStep(StepSpec):
    """`then` when the conditions hold (all, or any with match="any"), else `else_`."""

    type = "branch"
    conditions: tuple[Condition, ...]
    match: Literal["all", "any"] = "all"
    then: str | None = None
    else_: str | None = None


class Branch(StepType[BranchStep]):
    key, spec, order, has_next = "branch", BranchStep, 40, False
    label = "Branch on a condition"
    description = "Take one path or another depending on traits, the event or past events."
    fields = ("conditions", "match", "then", "else")
    no_next = "A branch goes on through its “yes” and “no” paths: remove “next”."
    look = "fork"
    form = (
        FormField(
            "match",
            "Take the “yes” path when",
            "choice",
            choices=(("all", "all conditions hold"), ("any", "any condition holds")),
        ),
        FormField("conditions", "Conditions", "conditions"),
    )
    blank_step = {"id": "Branch", "conditions": [{"trait": "plan", "op": "eq", "value": "pro"}]}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["then", "else"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        return "Yes" if key == "then" else "No"

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        raw_conditions = reader.items(raw, "conditions", path)
        if not raw_conditions:
            reader.add(f"{path}.conditions", "Add at least one condition.")
        conditions = parse_conditions(reader, raw_conditions, f"{path}.conditions")
        match = raw.get("match", "all")
        if match not in ("all", "any"):
            reader.add(
                f"{path}.match", "Write “all” (every condition holds) or “any” (one is enough)."
            )
        then = reader.text(raw, "then", path, required=False)
        else_ = reader.text(raw, "else", path, required=False)
        if len(conditions) != len(raw_conditions) or not raw_conditions:
            return None
        return {"conditions": conditions, "match": match, "then": then, "else_": else_}

    def dump(self, step: BranchStep) -> dict[str, Any]:
        data: dict[str, Any] = {"conditions": [dump_condition(c) for c in step.conditions]}
        if step.match != "all":
            data["match"] = step.match
        if step.then is not None:
            data["then"] = step.then
        if step.else_ is not None:
            data["else"] = step.else_
        return data

    def targets(self, step: BranchStep) -> list[tuple[str, str]]:
        pairs = (("then", step.then), ("else", step.else_))
        return [(name, target) for name, target in pairs if target is not None]

    def falls_through(self, step: BranchStep) -> bool:
        return step.then is None or step.else_ is None

    def run(self, step: BranchStep, walk: Walk) -> Move:
        result = evaluate_all(step.conditions, walk.facts(), match=step.match)
        outcome = "then" if result.held else "else"
        target = (step.then if result.held else step.else_) or walk.spec.following(step.id)
        explained = result.explain()
        walk.note("branch", f"branch {step.id}: {outcome} → {target or 'the end'} ({explained})")
        return Move(outcome, target)

    def conditions(self, step: BranchStep) -> tuple[Condition, ...]:
        return step.conditions

    def summary(
        self, step: BranchStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        joiner = " or " if step.match == "any" else " and "
        test = joiner.join(describe(condition) for condition in step.conditions)
        following = journey.following(step.id)
        then = step_label(step.then or following, step_names(journey.steps))
        otherwise = step_label(step.else_ or following, step_names(journey.steps))
        return f"If {test}, go to {then}, else go to {otherwise}"


STEP_TYPE = Branch()
