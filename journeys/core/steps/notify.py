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

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        to = reader.text(raw, "to", path)
        text = reader.text(raw, "text", path)
        if to is not None and not (_EMAIL.match(to) or to.startswith("https://")):
            reader.add(f"{path}.to", "must be an email address or an https:// webhook URL")
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


STEP_TYPE = Notify()
