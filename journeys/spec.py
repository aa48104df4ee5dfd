"""The journey format "stepwise.journey/1": frozen spec types, parse, validate, dump.

Pure: no Django. The format is described in docs/journey-format.md.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any, ClassVar, Literal

FORMAT = "stepwise.journey/1"
CHANNELS = ("email", "sms", "in_app", "webhook")
REENTRY_RULES = ("never", "after_exit")
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

Scalar = str | int | float | bool
ConditionKind = Literal["property", "trait", "event"]
Reentry = Literal["never", "after_exit"]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a journey: where (`steps[2].next`) and what, in plain words."""

    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}: {self.message}" if self.path else self.message


class SpecError(ValueError):
    """A journey that cannot be accepted; `problems` lists everything wrong with it."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(problem) for problem in self.problems))


# Given the channel and the variant's fields (subject, body, ...), return template problems
# whose paths are relative to the variant ("subject"). The runtime passes one that wraps
# channels.delivery.validate_content.
TemplateChecker = Callable[[str, Mapping[str, str]], Sequence[Problem]]


@dataclass(frozen=True)
class Condition:
    """`{"trait": "plan", "op": "in", "value": ["free", "trial"]}` and friends.

    `value` lists are stored as tuples. `where` and `within` only apply to event conditions
    (performed / not_performed).
    """

    kind: ConditionKind
    name: str
    op: str
    value: Scalar | tuple[Scalar, ...] | None = None
    where: tuple[Condition, ...] = ()
    within: timedelta | None = None


@dataclass(frozen=True)
class Trigger:
    event: str
    where: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Goal:
    """Performing `event` (matching `where`) within `within` of entry converts the enrollment."""

    event: str
    where: tuple[Condition, ...] = ()
    within: timedelta | None = None


@dataclass(frozen=True)
class ExitRule:
    event: str
    where: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Variant:
    """One version of a message; `weight` is its share of an A/B test."""

    name: str
    weight: int = 1
    subject: str | None = None
    preheader: str | None = None
    body: str | None = None
    url: str | None = None

    def content(self) -> dict[str, str]:
        """The template fields that are set: subject, preheader, body, url."""
        fields = {"subject": self.subject, "preheader": self.preheader}
        fields |= {"body": self.body, "url": self.url}
        return {name: value for name, value in fields.items() if value is not None}


@dataclass(frozen=True, kw_only=True)
class StepSpec:
    """A step. `next` names the following step; None means the next one in the list."""

    type: ClassVar[str]
    waits: ClassVar[bool] = False
    id: str
    next: str | None = None


@dataclass(frozen=True, kw_only=True)
class MessageStep(StepSpec):
    type: ClassVar[str] = "message"
    channel: str
    variants: tuple[Variant, ...]


@dataclass(frozen=True)
class Until:
    """Wait until `at` (local time of day) on one of `weekdays` (empty: any day)."""

    at: time
    weekdays: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class DelayStep(StepSpec):
    """Wait `duration`, or `until` a local time of day; exactly one of them is set."""

    type: ClassVar[str] = "delay"
    waits: ClassVar[bool] = True
    duration: timedelta | None = None
    until: Until | None = None


@dataclass(frozen=True, kw_only=True)
class WaitForEventStep(StepSpec):
    """Continue to `next` when `event` happens (or happened since entry); else time out."""

    type: ClassVar[str] = "wait_for_event"
    waits: ClassVar[bool] = True
    event: str
    where: tuple[Condition, ...] = ()
    timeout: timedelta | None = None
    on_timeout: str | None = None


@dataclass(frozen=True, kw_only=True)
class BranchStep(StepSpec):
    """`then` when the conditions hold (all, or any with match="any"), else `else_`."""

    type: ClassVar[str] = "branch"
    conditions: tuple[Condition, ...]
    match: Literal["all", "any"] = "all"
    then: str | None = None
    else_: str | None = None


@dataclass(frozen=True)
class SplitPath:
    percent: int
    next: str


@dataclass(frozen=True, kw_only=True)
class SplitStep(StepSpec):
    """Stable random paths by percent, e.g. a 10 % holdout."""

    type: ClassVar[str] = "split"
    paths: tuple[SplitPath, ...]


@dataclass(frozen=True, kw_only=True)
class UpdateContactStep(StepSpec):
    """Set traits: `set` is a tuple of (trait, value) pairs in the order written."""

    type: ClassVar[str] = "update_contact"
    set: tuple[tuple[str, Any], ...]

    def values(self) -> dict[str, Any]:
        return dict(self.set)


@dataclass(frozen=True, kw_only=True)
class NotifyStep(StepSpec):
    """An internal note to the team: `to` is an email address or an https webhook URL."""

    type: ClassVar[str] = "notify"
    to: str
    text: str


@dataclass(frozen=True, kw_only=True)
class ExitStep(StepSpec):
    """Ends the enrollment as completed."""

    type: ClassVar[str] = "exit"


@dataclass(frozen=True)
class JourneySpec:
    """One parsed, valid journey. Steps keep their list order."""

    key: str
    name: str
    trigger: Trigger
    steps: tuple[StepSpec, ...]
    audience: tuple[Condition, ...] = ()
    goal: Goal | None = None
    exits: tuple[ExitRule, ...] = ()
    reentry: Reentry = "never"
    description: str = ""
    _index: dict[str, int] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update({step.id: position for position, step in enumerate(self.steps)})

    @property
    def first_step(self) -> StepSpec:
        return self.steps[0]

    def step(self, step_id: str) -> StepSpec:
        """The step with this id; KeyError if there is none."""
        return self.steps[self._index[step_id]]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._index

    def following(self, step_id: str) -> str | None:
        """Where a step goes next by default: its `next`, else the next in the list (or None)."""
        step = self.step(step_id)
        if step.next is not None:
            return step.next
        position = self._index[step_id] + 1
        return self.steps[position].id if position < len(self.steps) else None


def parse_journey(
    data: Mapping[str, Any], *, template_checker: TemplateChecker | None = None
) -> JourneySpec:
    """Validate a "stepwise.journey/1" document; raise SpecError listing every problem."""
    # Imported here: the parsers in journeys.format import the dataclasses above.
    from journeys.format import parse_document

    return parse_document(data, template_checker=template_checker)


def dump_journey(spec: JourneySpec) -> dict[str, Any]:
    """The JSON-ready document for a spec; parse_journey(dump_journey(s)) == s."""
    from journeys.format import dump_document

    return dump_document(spec)


def suggest(name: str, choices: Sequence[str]) -> str:
    """` (did you mean "x"?)` when a close choice exists, else ""."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f' (did you mean "{close[0]}"?)' if close else ""


class Reader:
    """Collects problems while reading a raw document, so that all of them are reported."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, "must be an object")
        return None

    def only(self, raw: Mapping[str, Any], path: str, allowed: Sequence[str]) -> None:
        """Report every key of `raw` that is not in `allowed` (typos get a suggestion)."""
        for key in raw:
            if key not in allowed:
                where = f"{path}.{key}" if path else str(key)
                self.add(where, "unknown field" + suggest(str(key), allowed))

    def text(
        self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        where = f"{path}.{key}" if path else key
        value = raw.get(key)
        if value is None:
            if required:
                self.add(where, "missing")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(where, "must be a non-empty string")
            return None
        return value

    def items(self, raw: Mapping[str, Any], key: str, path: str) -> list[Any]:
        """The list at `key` (absent: empty); reports anything else."""
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(f"{path}.{key}" if path else key, "must be a list")
            return []
        return value
