"""What every step type is made of, and the walk its runner works on.

A step type (one module in journeys/core/steps/) subclasses StepType for its spec class and
says, in one place: how it is read from and written to the journey document, which steps
it leads to, what it does when an enrollment reaches it (`run`), what wakes it while it
waits (`on_event`, `on_wake`), which events and conditions it depends on, what it sends,
and how it reads in plain words (`summary`). See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Protocol

from journeys.core.conditions import Condition, EventView, Facts, matching_events
from journeys.core.decisions import (
    Command,
    Decision,
    EnrollmentState,
    Finish,
    FinishState,
    LeaveStep,
    TraceLine,
    UseEvent,
)
from journeys.core.durations import duration_words, parse_duration
from journeys.core.languages import DEFAULT_LANGUAGE
from journeys.core.problems import Reader, TemplateChecker, join_path
from journeys.core.spec import JourneySpec, StepSpec, Variant
from journeys.core.steps.form import BuilderSide, FormField


@dataclass(frozen=True)
class Move:
    """Leave the current step with `outcome` and go on at `target` (None: the end)."""

    outcome: str
    target: str | None


@dataclass(frozen=True)
class Stay:
    """An event the waiting step listens for, but which does not move it (the trace says why)."""

    code: str
    message: str


class ChannelFacts(Protocol):
    """What the core needs to know of a channel; each module in channels/ declares it.

    The core cannot import channels (it would load Django and the providers' libraries),
    so the layers above pass the registry's channels in (ParseContext, `summary`)."""

    @property
    def key(self) -> str: ...
    @property
    def label(self) -> str: ...
    @property
    def noun(self) -> str: ...
    @property
    def required(self) -> tuple[str, ...]: ...
    @property
    def optional(self) -> tuple[str, ...]: ...
    @property
    def replies(self) -> str: ...

    def field_problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]: ...
    def field_label(self, name: str) -> str: ...


Channels = Mapping[str, ChannelFacts]
NO_CHANNELS: Channels = {}


@dataclass(frozen=True)
class ParseContext:
    """What a step type's parser may need beyond the raw step: checks the runtime adds.

    `channels` None: the message step checks the document's shape only (a stored spec
    read back); the publish path passes the registry's channels for the full check."""

    template_checker: TemplateChecker | None = None
    channels: Channels | None = None
    language: str = DEFAULT_LANGUAGE  # the journey's: no version may be written for it


class StepType[S: StepSpec](BuilderSide):
    """One type of step. `fields` are its document keys besides id, type and next.

    `label` and `description` are the builder's palette entry; `order` its place in the
    palette (and in messages that list the types). `form` declares its builder form as
    data (journeys.core.steps.form); `blank_step` is what a new step of the type starts
    as; `previews` shows the builder's message preview and quiet hours; `ends_journey`
    marks the type that closes a path (the builder adds one where a path needs an end);
    `quiet_trace` names trace codes the simulation leaves out because a command it shows
    says the same. `chat_question`: the message it sends is a question the chat shows
    with its quick replies (or the kind of answer it wants).
    """

    key: ClassVar[str]
    spec: type[S]
    label: ClassVar[str]
    description: ClassVar[str]
    order: ClassVar[int] = 1000
    fields: ClassVar[tuple[str, ...]] = ()
    has_next: ClassVar[bool] = True
    no_next: ClassVar[str] = ""
    waits: ClassVar[bool] = False
    form: ClassVar[tuple[FormField, ...]] = ()
    blank_step: ClassVar[Mapping[str, Any]] = {}
    quiet_trace: ClassVar[frozenset[str]] = frozenset()
    chat_question: ClassVar[bool] = False

    # --- the document ---------------------------------------------------------------

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        """The keyword arguments for `spec` besides id and next, or None after a problem."""
        return {}

    def dump(self, step: S) -> dict[str, Any]:
        """The step's own keys for the document (id, type and next are written for it)."""
        return {}

    # --- the graph ------------------------------------------------------------------

    def targets(self, step: S) -> list[tuple[str, str]]:
        """(field, step id) for every step this one names explicitly."""
        return [("next", step.next)] if step.next is not None else []

    def falls_through(self, step: S) -> bool:
        """Whether the next step in the list is one of the possible successors."""
        return self.has_next and step.next is None

    def ways_out(self, step: S, journey: JourneySpec) -> list[tuple[str, str | None]]:
        """(step id, event) for each way on: the event a message further on may speak of
        because of this way (a wait's event on its "done" way), or None."""
        found = [target for _, target in self.targets(step)]
        position = journey.position(step.id) + 1
        if self.falls_through(step) and position < len(journey.steps):
            found.append(journey.steps[position].id)
        return [(target, None) for target in dict.fromkeys(found)]

    # --- running --------------------------------------------------------------------

    def run(self, step: S, walk: Walk) -> Move | None:
        """Enter the step: add commands and trace lines; Move on, or None to stop here."""
        return Move("done", walk.spec.following(step.id))

    def on_event(self, step: S, walk: Walk, event: EventView) -> Move | Stay | None:
        """A new event while the enrollment waits here; None: it does not concern the step."""
        return None

    def on_wake(self, step: S, walk: Walk) -> Move:
        """The step's timer is due (only steps that set one are asked)."""
        walk.note("woke", f"the wait at {step.id} is over")
        return Move("waited", walk.spec.following(step.id))

    def awaits(self, step: S) -> str | None:
        """The event this step waits for, if any (shown in traces and contact pages)."""
        return None

    def already_done(self, step: S, walk: Walk) -> EventView | None:
        """The event since entry that would end this step's wait at once, if any: a
        message just before it that asks for the same thing is skipped (`skip_when_done`)."""
        return None

    # --- what the step depends on and sends ----------------------------------------

    def event_names(self, step: S) -> frozenset[str]:
        """Events the step reacts to; the worker loads and routes them for it."""
        awaited = self.awaits(step)
        return frozenset({awaited}) if awaited else frozenset()

    def conditions(self, step: S) -> tuple[Condition, ...]:
        """Conditions the step evaluates (their event conditions are loaded too)."""
        return ()

    def channel(self, step: S) -> str:
        """The channel the step sends on; "" for steps that send nothing."""
        return ""

    def variants(self, step: S, channels: Channels = NO_CHANNELS) -> tuple[Variant, ...]:
        """The message variants the step may send (stored as rows for reports); `channels`
        (the registry's) let a step word a message for the channel it goes out on."""
        return ()

    def arm(self, step: S, outcome: str, journey: JourneySpec) -> tuple[str, bool] | None:
        """The path a contact was given on leaving with `outcome`, and whether it is a
        holdout (a path that sends nothing): reports compare paths. None: not a split."""
        return None

    # --- words ----------------------------------------------------------------------

    def summary(self, step: S, journey: JourneySpec, channels: Channels = NO_CHANNELS) -> str:
        """One line in plain words, for the builder's card and the docs."""
        return self.label


def step_label(step_id: str | None, names: Mapping[str, str] | None = None) -> str:
    """A step as staff read it: the name it was given in `names` ("Day 2: “Hello!”"),
    else its id in words ("wait_upload" → "Wait upload"); None → "the end"."""
    if step_id is None:
        return "the end"
    if names and names.get(step_id):
        return names[step_id]
    words = step_id.replace("_", " ").replace("-", " ").strip()
    return words[:1].upper() + words[1:]


def step_names(steps: Iterable[StepSpec]) -> dict[str, str]:
    """The names steps were given, by id (for `step_label`)."""
    return {step.id: step.name for step in steps if step.name}


def quoted(text: str, limit: int = 60) -> str:
    """“text”, cut to `limit` characters with an ellipsis."""
    text = " ".join(text.split())
    return f"“{text if len(text) <= limit else text[: limit - 1] + '…'}”"


TIMEOUT_PATH_NEEDS_LIMIT = (
    "A path for people who don't do it in time needs a time limit: set one, or remove the path."
)


def read_duration(reader: Reader, raw: Mapping[str, Any], key: str, path: str) -> Any:
    """The ISO 8601 duration at `key`, or None after reporting why it cannot be read."""
    try:
        return parse_duration(raw[key])
    except ValueError as exc:
        reader.add(join_path(path, key), str(exc))
        return None


def iso_words(value: Any) -> str:
    """A document's ISO 8601 length in words ("P2D" → "2 days"), as typed if unreadable."""
    try:
        return duration_words(parse_duration(value)) if isinstance(value, str) else ""
    except ValueError:
        return str(value)


def when(moment: datetime | None) -> str:
    return "(unknown time)" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def line(code: str, message: str, **data: Any) -> TraceLine:
    return TraceLine(code, message, data)


class Walk:
    """One decision in the making: the enrollment, the journey and what was decided so far.

    The engine walks instant steps from one step, asking each type's runner; runners add
    commands and trace lines here.
    """

    def __init__(
        self,
        state: EnrollmentState,
        spec: JourneySpec,
        now: datetime,
        event: EventView | None,
        types: Callable[[StepSpec], StepType[Any]] | None = None,
    ) -> None:
        self.state, self.spec, self.now, self.types = state, spec, now, types
        self.last_event = event or state.last_event
        events = list(state.events)
        if event is not None and event not in events:
            events.append(event)
        self.events: Sequence[EventView] = events
        self.traits = dict(state.contact.traits)
        self.commands: list[Command] = []
        self.trace: list[TraceLine] = []

    def note(self, code: str, message: str, **data: Any) -> None:
        self.trace.append(line(code, message, **data))

    def add(self, command: Command) -> None:
        self.commands.append(command)

    def leave(self, step_id: str, outcome: str) -> None:
        self.commands.append(LeaveStep(step_id, outcome))

    def finish(self, state: FinishState, reason: str) -> None:
        self.commands.append(Finish(state, reason))
        self.note(state, f"{state}: {reason}")

    def performed_since_entry(
        self, event_name: str, where: Sequence[Condition]
    ) -> EventView | None:
        """The latest event since entry with this name that meets `where`, if any.

        The event that last moved the enrollment is used up: it (and anything of the same
        name before it) cannot satisfy the next wait for that event, so a loop back to a
        wait needs a new event.
        """
        since = self.state.entered_at
        moved_by = self.last_event
        if moved_by is not None and moved_by.name == event_name and moved_by.timestamp:
            since = max(since, moved_by.timestamp)
        found = matching_events(self.events, event_name, where, now=self.now, since=since)
        fresh = [e for e in found if e != moved_by and (e.timestamp or since) >= since]
        return fresh[-1] if fresh else None

    def use_event(self, event: EventView) -> None:
        """What comes next speaks of `event` (a wait it ended, though it came earlier)."""
        if event != self.last_event:
            self.last_event = event
            self.commands.append(UseEvent(event))

    def done_before(self, step_id: str | None) -> EventView | None:
        """What already ended the wait at `step_id` before the contact got there, if any."""
        if step_id is None or self.types is None or not self.spec.has_step(step_id):
            return None
        step = self.spec.step(step_id)
        return self.types(step).already_done(step, self)

    def facts(self) -> Facts:
        properties = self.last_event.properties if self.last_event is not None else {}
        return Facts(self.traits, properties, self.events, self.now)

    def decision(self) -> Decision:
        return Decision(tuple(self.commands), tuple(self.trace))


def wait_ways(
    journey: JourneySpec, step: StepSpec, event: str, *, timed: bool, on_timeout: str | None
) -> list[tuple[str, str | None]]:
    """A wait's ways on: `event` is in reach after it came, never after the time ran out."""
    done = journey.following(step.id)
    ways: list[tuple[str, str | None]] = [(done, event)] if done is not None else []
    late = (on_timeout or done) if timed else None
    return ways + ([(late, None)] if late is not None else [])
