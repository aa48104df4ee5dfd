"""Builders for engine tests: journeys as dicts, events, contacts, and a tiny driver."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from journeys.core.engine import (
    ContactView,
    Decision,
    EnrollmentState,
    EventStimulus,
    EventView,
    TimeStimulus,
    decide,
    initial_state,
)
from journeys.core.format import parse_journey
from journeys.core.problems import SpecError
from journeys.core.reducer import reduce_decision
from journeys.core.spec import JourneySpec

EXAMPLE = Path(__file__).resolve().parents[3] / "examples" / "welcome.json"
T0 = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)  # a Wednesday
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def welcome_doc() -> dict[str, Any]:
    return json.loads(EXAMPLE.read_text(encoding="utf-8"))


def journey_doc(steps: list[dict[str, Any]], **overrides: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": "stepwise.journey/1",
        "key": "test",
        "name": "Test",
        "trigger": {"event": "Signed Up"},
        "steps": steps,
    }
    return doc | overrides


def journey(steps: list[dict[str, Any]], **overrides: Any) -> JourneySpec:
    return parse_journey(journey_doc(steps, **overrides))


def event(name: str, at: datetime = T0, **properties: Any) -> EventView:
    return EventView(name, properties, at)


def contact(id: int | str = 1, tz: str = "", **traits: Any) -> ContactView:
    return ContactView(id=id, traits={"email": "ada@example.com"} | traits, timezone=tz)


class Driver:
    """Applies decisions to one enrollment, as the runtime would (via reducer.reduce_decision)."""

    def __init__(self, spec: JourneySpec, who: ContactView | None = None) -> None:
        self.spec = spec
        self.contact = who or contact()
        self.state: EnrollmentState | None = None
        self.decisions: list[Decision] = []

    def start(self, trigger: EventView) -> Decision:
        self.state = initial_state(
            enrollment_id=1,
            contact=self.contact,
            spec=self.spec,
            version=1,
            event=trigger,
            now=trigger.timestamp or T0,
        )
        return self.send(trigger)

    def send(self, happened: EventView) -> Decision:
        assert self.state is not None
        now = happened.timestamp or T0
        return self._apply(EventStimulus(happened), now)

    def wake(self, now: datetime | None = None) -> Decision:
        assert self.state is not None
        assert self.state.wake_at is not None
        return self._apply(TimeStimulus(self.state.wake_at), now or self.state.wake_at)

    def _apply(self, stimulus: EventStimulus | TimeStimulus, now: datetime) -> Decision:
        assert self.state is not None
        decision = decide(self.state, stimulus, self.spec, now=now)
        self.state = reduce_decision(self.state, stimulus, decision, now=now).state
        self.decisions.append(decision)
        return decision


def messages(decision: Decision) -> list[str]:
    return [line.message for line in decision.trace]


def problems(doc: Any, **kwargs: Any) -> list[str]:
    """The problems parse_journey reports for doc, as "path: message" strings."""
    try:
        parse_journey(doc, **kwargs)
    except SpecError as error:
        return [str(problem) for problem in error.problems]
    return []
