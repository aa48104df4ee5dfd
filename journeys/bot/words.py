"""The bot's words and matching: pure functions, no database.

Slackbot's rule, kept here: the bot says it is a bot, and when it does not understand it
says so plainly and points back to the one next step."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

SORRY = "I'm only a bot, sorry! I'll try to point you in the right direction."
_WORD = re.compile(r"\w+", re.UNICODE)


def words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def match_keyword[T](text: str, choices: Sequence[tuple[str, T]]) -> T | None:
    """The answer of the longest phrase whose words appear in `text` in order, together
    ("Pricing?" matches "pricing"; "price" does not), else None."""
    said = words(text)
    best: tuple[int, T] | None = None
    for phrase, answer in choices:
        wanted = words(phrase)
        if not wanted:
            continue
        size = len(wanted)
        if any(said[i : i + size] == wanted for i in range(len(said) - size + 1)):
            if best is None or size > best[0]:
                best = (size, answer)
    return best[1] if best is not None else None


@dataclass(frozen=True)
class FallbackWords:
    next_step: str = ""
    team_told: bool = False


def fallback_text(words: FallbackWords) -> str:
    """The honest answer to something the bot did not understand."""
    parts = [SORRY]
    if words.next_step:
        parts.append(f"Here is where we were: {words.next_step}")
    if words.team_told:
        parts.append("I've also passed your message on to the team, so a person can follow up.")
    return "\n\n".join(parts)


def notify_targets(document: Mapping[str, Any]) -> list[str]:
    """The team's addresses in a journey document: every notify step's `to`, once each."""
    found: list[str] = []
    for step in document.get("steps", []):
        if isinstance(step, Mapping) and step.get("type") == "notify":
            target = step.get("to")
            if isinstance(target, str) and target and target not in found:
                found.append(target)
    return found
