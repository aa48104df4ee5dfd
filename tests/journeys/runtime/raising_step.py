"""A step type of the tests' own that does arithmetic on the contact's data, the way a
custom step might: it raises on data nobody expected ("0" seats, "lots"). The failure
boundary must hold only that contact's work, whatever a step raises."""

from __future__ import annotations

from dataclasses import dataclass

from journeys.core.decisions import UpdateTraits
from journeys.core.spec import StepSpec
from journeys.core.steps import Move, StepType, Walk


@dataclass(frozen=True, kw_only=True)
class TallyStep(StepSpec):
    type = "tally"


class Tally(StepType[TallyStep]):
    key, spec, order = "tally", TallyStep, 990
    label = "Share seats"
    description = "Works out each seat's share of 100 from the last event's `seats`."

    def run(self, step: TallyStep, walk: Walk) -> Move:
        seats = (walk.last_event.properties if walk.last_event else {}).get("seats", 1)
        walk.note("tally", f"each seat gets {100 // int(seats)}")
        return Move("done", walk.spec.following(step.id))


@dataclass(frozen=True, kw_only=True)
class RatioStep(StepSpec):
    type = "ratio"


class Ratio(StepType[RatioStep]):
    """Saves the last event's `ratio` as a number: "nan" gives a number no JSON column of
    PostgreSQL stores, so the batch's write fails, not the step."""

    key, spec, order = "ratio", RatioStep, 991
    label = "Save the ratio"
    description = "Saves the last event's `ratio` on the contact as a number."

    def run(self, step: RatioStep, walk: Walk) -> Move:
        ratio = (walk.last_event.properties if walk.last_event else {}).get("ratio", 1)
        walk.add(UpdateTraits(step.id, (("ratio", float(ratio)),)))
        return Move("done", walk.spec.following(step.id))
