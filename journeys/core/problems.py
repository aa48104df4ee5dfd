"""Problems with a journey document, and the Reader that collects all of them.

The lowest layer of the journey format: it imports nothing from journeys. Every problem has
a path (`steps[2].next`) and a plain sentence, so that staff see everything wrong at once.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any


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
# channels.registry.validate_content.
TemplateChecker = Callable[[str, Mapping[str, str]], Sequence[Problem]]


def suggest(name: str, choices: Sequence[str]) -> str:
    """` Did you mean “x”?` when a close choice exists, else ""."""
    close = difflib.get_close_matches(name, list(choices), n=1, cutoff=0.6)
    return f" Did you mean “{close[0]}”?" if close else ""


def one_of(name: str, choices: Sequence[str]) -> str:
    """` Did you mean “x”?`, or else ` Use one of: a, b, c.`"""
    return suggest(name, choices) or f" Use one of: {', '.join(choices)}."


def join_path(path: str, key: str) -> str:
    """`steps[0]` + `next` → `steps[0].next`; at the root the key alone."""
    return f"{path}.{key}" if path else key


class Reader:
    """Collects problems while reading a raw document, so that all of them are reported."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: str, message: str) -> None:
        self.problems.append(Problem(path, message))

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.add(path, "Write this as named settings between { and }.")
        return None

    def only(self, raw: Mapping[str, Any], path: str, allowed: Sequence[str]) -> None:
        """Report every key of `raw` that is not in `allowed` (typos get a suggestion)."""
        for key in raw:
            if key not in allowed:
                hint = suggest(str(key), allowed) or " Remove it."
                self.add(join_path(path, str(key)), "There is no such setting here." + hint)

    def text(
        self, raw: Mapping[str, Any], key: str, path: str, *, required: bool = True
    ) -> str | None:
        where = join_path(path, key)
        value = raw.get(key)
        if value is None:
            if required:
                self.add(where, "Fill this in.")
            return None
        if not isinstance(value, str) or not value.strip():
            self.add(where, "Write some text here: it cannot be left blank.")
            return None
        return value

    def items(self, raw: Mapping[str, Any], key: str, path: str) -> list[Any]:
        """The list at `key` (absent: empty); reports anything else."""
        value = raw.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.add(join_path(path, key), "Write these between [ and ], separated by commas.")
            return []
        return value
