"""The exit step: end the enrollment as completed."""

from __future__ import annotations

from dataclasses import dataclass

from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import NO_CHANNELS, Channels, StepType, Walk


@dataclass(frozen=True, kw_only=True)
class ExitStep(StepSpec):
    """Ends the enrollment as completed."""

    type = "exit"


class Exit(StepType[ExitStep]):
    key, spec, order, has_next = "exit", ExitStep, 90, False
    label = "End the journey"
    description = "The contact has finished this journey."
    no_next = "An exit step ends the journey: remove “next”."
    blank_step = {"id": "End"}
    ends_journey = True
    look = "end"

    def run(self, step: ExitStep, walk: Walk) -> None:
        walk.leave(step.id, "completed")
        walk.finish("completed", f"reached exit step {step.id}")
        return None

    def summary(
        self, step: ExitStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        return "End the journey"


STEP_TYPE = Exit()
