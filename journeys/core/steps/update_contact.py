"""The update_contact step: set traits on the contact (checked like the event API's)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.core.decisions import UpdateTraits
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import NO_CHANNELS, Channels, Move, ParseContext, StepType, Walk
from journeys.core.steps.form import FormField


@dataclass(frozen=True, kw_only=True)
class UpdateContactStep(StepSpec):
    """Set traits: `set` is a tuple of (trait, value) pairs in the order written."""

    type = "update_contact"
    set: tuple[tuple[str, Any], ...]

    def values(self) -> dict[str, Any]:
        return dict(self.set)


class UpdateContact(StepType[UpdateContactStep]):
    key, spec, order = "update_contact", UpdateContactStep, 60
    label = "Update the contact"
    description = "Set traits on the contact, e.g. mark them as onboarded."
    fields = ("set",)
    form = (
        FormField(
            "traits",
            "Set these traits",
            "assignments",
            help="One per line: “onboarded = yes”, “plan = pro”.",
            key="set",
        ),
    )
    blank_step = {"id": "Mark_onboarded", "set": {"onboarded": True}}
    quiet_trace = frozenset({"update_contact"})

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        values = reader.obj(raw.get("set"), f"{path}.set")
        if values is None:
            return None
        if not values:
            reader.add(f"{path}.set", "Add at least one trait to set.")
            return None
        if not all(isinstance(key, str) and key.strip() for key in values):
            reader.add(f"{path}.set", "Give every trait a name.")
            return None
        return {"set": tuple(values.items())}

    def dump(self, step: UpdateContactStep) -> dict[str, Any]:
        return {"set": dict(step.set)}

    def run(self, step: UpdateContactStep, walk: Walk) -> Move:
        walk.add(UpdateTraits(step.id, step.set))
        walk.traits.update(step.values())
        names = ", ".join(f"{name}={value!r}" for name, value in step.set)
        walk.note("update_contact", f"{step.id}: traits {names}")
        return Move("updated", walk.spec.following(step.id))

    def summary(
        self, step: UpdateContactStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        pairs = ", ".join(f"{name} to {json.dumps(value, default=str)}" for name, value in step.set)
        return f"Set {pairs}"


STEP_TYPE = UpdateContact()
