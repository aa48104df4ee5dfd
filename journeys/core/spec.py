"""The frozen types of a journey "stepwise.journey/1": trigger, goal, exits, steps.

Pure: no Django. Each step type's own spec lives with the rest of that type in
journeys/core/steps/<type>.py; reading and writing documents is journeys.core.format.
See docs/journey-format.md and docs/architecture.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, ClassVar, Literal

from journeys.core.conditions import Condition

FORMAT = "stepwise.journey/1"
REENTRY_RULES = ("never", "after_exit")
KEY_PATTERN = re.compile(r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$")

Reentry = Literal["never", "after_exit"]


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
    """One version of a message's content; `weight` is its share of an A/B test."""

    name: str
    weight: int = 1
    subject: str | None = None
    preheader: str | None = None
    body: str | None = None
    url: str | None = None
    cta: str | None = None
    image: str | None = None
    # Versions in other languages: (locale code, the fields that differ from the default).
    locales: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()

    def content(self) -> dict[str, str]:
        """The fields that are set: subject, preheader, body, url, cta, image."""
        fields = {"subject": self.subject, "preheader": self.preheader}
        fields |= {"body": self.body, "url": self.url, "cta": self.cta, "image": self.image}
        return {name: value for name, value in fields.items() if value is not None}

    def languages(self) -> tuple[str, ...]:
        """The locale codes this variant has a version for, besides the default one."""
        return tuple(code for code, _ in self.locales)

    def in_language(self, code: str) -> Variant:
        """The version for `code` (a key of `locales`): the default's fields with that
        version's on top. "" or an unknown code: the default version."""
        found = dict(self.locales).get(code)
        if found is None:
            return self
        fields: dict[str, Any] = dict(found)
        return replace(self, locales=(), **fields)


VARIANT_FIELDS = ("subject", "preheader", "body", "url", "cta", "image")


@dataclass(frozen=True)
class Bot:
    """Who speaks for a journey in the in-app chat: a name and an avatar image."""

    name: str
    avatar: str = ""


@dataclass(frozen=True, kw_only=True)
class StepSpec:
    """A step. `next` names the following step; None means the next one in the list.
    `id` is what paths and reports point at (letters, digits, - and _); `name` is what
    staff read, punctuation and all.

    Subclasses (one per step type, in journeys/core/steps/) set `type` to their registry key.
    """

    type: ClassVar[str]
    id: str
    next: str | None = None
    name: str = ""  # as staff typed it ("Day 2: “Hello!”"); empty: the id in words


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
    bot: Bot | None = None
    language: str = "en"  # the default version's language (journeys.core.languages)
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

    def position(self, step_id: str) -> int:
        """Where the step stands in the list (0 for the first); KeyError if there is none."""
        return self._index[step_id]

    def following(self, step_id: str) -> str | None:
        """Where a step goes next by default: its `next`, else the next in the list (or None)."""
        step = self.step(step_id)
        if step.next is not None:
            return step.next
        position = self._index[step_id] + 1
        return self.steps[position].id if position < len(self.steps) else None
