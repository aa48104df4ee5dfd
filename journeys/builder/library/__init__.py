"""Journey templates staff can start from: real content, ready to adjust and publish."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


@dataclass(frozen=True)
class JourneyTemplate:
    key: str
    title: str
    description: str
    document: dict[str, Any]

    def fresh(self) -> dict[str, Any]:
        return copy.deepcopy(self.document)


def _load(key: str, title: str, description: str) -> JourneyTemplate:
    document = json.loads((_HERE / f"{key}.json").read_text())
    return JourneyTemplate(key, title, description, document)


TEMPLATES = (
    _load(
        "slackbot-welcome",
        "A Slackbot-style welcome",
        "Greets new sign-ups by email, waits for their first note, praises it in the app "
        "and nudges by SMS if they get stuck.",
    ),
    _load(
        "trial-ending",
        "A trial-ending nudge",
        "Three days before a trial ends, reminds people what they would lose and how to keep it.",
    ),
    _load(
        "feature-adoption",
        "A feature adoption journey",
        "Shows people who never used a feature what it does, then checks whether they tried it.",
    ),
)


def template(key: str) -> JourneyTemplate | None:
    return next((item for item in TEMPLATES if item.key == key), None)
