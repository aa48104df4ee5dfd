"""The engine's inputs and outputs: views of contacts, events and enrollments, stimuli,
commands and decisions. Frozen values only; journeys.core.engine decides with them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from journeys.core.conditions import EventView
from journeys.core.spec import JourneySpec
from journeys.core.zones import zone_for

Status = Literal["active", "waiting", "converted", "completed", "exited", "failed"]
FinishState = Literal["converted", "completed", "exited", "failed"]
FINISHED: frozenset[str] = frozenset({"converted", "completed", "exited", "failed"})


@dataclass(frozen=True)
class ContactView:
    """What the engine knows of a contact. `traits` includes the well-known fields
    (email, phone, first_name, last_name, timezone, locale)."""

    id: int | str
    traits: Mapping[str, Any] = field(default_factory=dict)
    timezone: str = ""
    source_timezone: str = ""
    site_timezone: str = "UTC"

    def zone(self) -> ZoneInfo:
        """The contact's zone, else the source's, else the site's, else UTC."""
        return zone_for(self.timezone, self.source_timezone, self.site_timezone)


@dataclass(frozen=True)
class PriorEnrollment:
    """Another enrollment of the same contact in the same journey (any version)."""

    state: str
    entered_at: datetime
    finished_at: datetime | None = None


@dataclass(frozen=True)
class EnrollmentState:
    """One contact's trip through one journey version, as the engine needs it.

    `step_id` None with state "active" means not started: decide() starts at the first step.
    `events` are the contact's events since entry (the trigger included), oldest first.
    """

    enrollment_id: int | str | None
    contact: ContactView
    journey_key: str
    journey_version: int
    step_id: str | None
    state: Status
    entered_at: datetime
    step_entered_at: datetime
    wake_at: datetime | None = None
    last_event: EventView | None = None
    events: Sequence[EventView] = ()

    @property
    def finished(self) -> bool:
        return self.state in FINISHED


@dataclass(frozen=True)
class EventStimulus:
    """A new event of the contact (the trigger itself when the enrollment starts)."""

    event: EventView


@dataclass(frozen=True)
class TimeStimulus:
    """Time passed: `scheduled_for` is the wake_at this wake-up was scheduled for."""

    scheduled_for: datetime


Stimulus = EventStimulus | TimeStimulus


@dataclass(frozen=True)
class TraceLine:
    """One explained fact of a decision: a code, a sentence, and the values behind it."""

    code: str
    message: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LeaveStep:
    """Close the open visit of `step_id` with `outcome` (sent, event, timeout, then, ...)."""

    step_id: str
    outcome: str


@dataclass(frozen=True)
class EnterStep:
    """Open a visit of `step_id` (write a StepVisit)."""

    step_id: str
    step_type: str


@dataclass(frozen=True)
class SendMessage:
    """Queue one message for the current step visit, in the given variant."""

    step_id: str
    channel: str
    variant_name: str
    language: str = ""  # a key of the variant's `locales`; "": the default version
    language_reason: str = ""  # why (journeys.core.languages); "": one language only


@dataclass(frozen=True)
class Wait:
    """Sleep at `step_id` until `until` (None: no timer) or until `for_event` arrives."""

    step_id: str
    until: datetime | None
    for_event: str | None = None


@dataclass(frozen=True)
class UpdateTraits:
    """Set these traits on the contact: (trait, value) pairs."""

    step_id: str
    values: tuple[tuple[str, Any], ...]

    def as_dict(self) -> dict[str, Any]:
        return dict(self.values)


@dataclass(frozen=True)
class Notify:
    """Send an internal note: `to` is an email address or https URL; `text` is a template."""

    step_id: str
    to: str
    text: str


@dataclass(frozen=True)
class Finish:
    """End the enrollment in `state`, for `reason`."""

    state: FinishState
    reason: str


@dataclass(frozen=True)
class UseEvent:
    """A wait ended by an event the contact did before getting there: the messages after
    it speak of that event (its properties), not of the one that moved the enrollment."""

    event: EventView


Command = LeaveStep | EnterStep | SendMessage | Wait | UpdateTraits | Notify | UseEvent | Finish


@dataclass(frozen=True)
class Decision:
    """What to do, in order, and why. No commands means nothing changes."""

    commands: tuple[Command, ...] = ()
    trace: tuple[TraceLine, ...] = ()

    @property
    def finish(self) -> Finish | None:
        return next((c for c in self.commands if isinstance(c, Finish)), None)

    @property
    def wait(self) -> Wait | None:
        return next((c for c in self.commands if isinstance(c, Wait)), None)


class StepRaised(Exception):
    """A step's own code raised while the engine walked it; `step_id` names the step, the
    cause is chained (the worker's per-contact boundary reports both)."""

    def __init__(self, step_id: str) -> None:
        super().__init__(f"step {step_id} raised")
        self.step_id = step_id


@dataclass(frozen=True)
class EntryDecision:
    enroll: bool
    trace: tuple[TraceLine, ...]


def initial_state(
    *,
    enrollment_id: int | str | None,
    contact: ContactView,
    spec: JourneySpec,
    version: int,
    event: EventView,
    now: datetime,
) -> EnrollmentState:
    """The state of a new enrollment before its first decide() (which it gets the trigger)."""
    return EnrollmentState(
        enrollment_id=enrollment_id,
        contact=contact,
        journey_key=spec.key,
        journey_version=version,
        step_id=None,
        state="active",
        entered_at=now,
        step_entered_at=now,
        last_event=event,
        events=(event,),
    )
