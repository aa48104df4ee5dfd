"""The notify step: an internal note to the team (an email address or an https webhook)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.core.decisions import Notify as NotifyCommand
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec
from journeys.core.steps.base import (
    NO_CHANNELS,
    Channels,
    Move,
    ParseContext,
    StepType,
    Walk,
    quoted,
)
from journeys.core.steps.form import FormField

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True, kw_only=True)
class NotifyStep(StepSpec):
    """An internal note to the team: `to` is an email address or an https webhook URL."""

    type = "notify"
    to: str
    text: str


class Notify(StepType[NotifyStep]):
    key, spec, order = "notify", NotifyStep, 70
    label = "Tell the team"
    description = "Email a teammate or post to a chat webhook so a person can follow up."
    fields = ("to", "text")
    form = (
        FormField("to", "Tell", help="An email address or a chat webhook.", max_length=500),
        FormField("text", "Note", "long_text", template=True),
    )
    blank_step = {"id": "Tell_the_team", "to": "team@example.com", "text": ""}
    quiet_trace = frozenset({"notify"})

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        to = reader.text(raw, "to", path)
        text = reader.text(raw, "text", path)
        if to is not None and not (_EMAIL.match(to) or to.startswith("https://")):
            reader.add(
                f"{path}.to", "Write an email address, or a chat webhook's address (https://…)."
            )
            return None
        if to is None or text is None:
            return None
        return {"to": to, "text": text}

    def dump(self, step: NotifyStep) -> dict[str, Any]:
        return {"to": step.to, "text": step.text}

    def run(self, step: NotifyStep, walk: Walk) -> Move:
        walk.add(NotifyCommand(step.id, step.to, step.text))
        walk.note("notify", f"notify {step.id}: note to {step.to}")
        return Move("notified", walk.spec.following(step.id))

    def summary(
        self, step: NotifyStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        return f"Tell {step.to}: {quoted(step.text)}"


def notify_targets(document: Mapping[str, Any]) -> list[str]:
    """The team's addresses in a journey document: every notify step's `to`, once each
    (the bot tells a contact their message was passed on when there is one)."""
    found: list[str] = []
    for step in document.get("steps", []):
        if isinstance(step, Mapping) and step.get("type") == Notify.key:
            target = step.get("to")
            if isinstance(target, str) and target and target not in found:
                found.append(target)
    return found


STEP_TYPE = Notify()
