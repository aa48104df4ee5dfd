"""A step type's key is spelled in its own module only (journeys/core/steps/<key>.py):
everything else asks the registry. The words also mean other things ("message", "exit",
"split"), so a line counts as using a step key when it compares or builds a step's type
(the word "type" on the line), names the type's class key, styles a card by it, or lists
two step keys together."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from journeys.core.steps import STEP_TYPES

ROOT = Path(__file__).resolve().parents[2]
WALKED = ("journeys", "channels", "templates", "static/stepwise", "static/journeys")
SUFFIXES = {".py", ".html", ".js", ".css", ".txt"}
# (path, text on the line): uses of the same word that are not a step type's key.
ALLOWED = {
    # A Redis pub/sub message's own "type" field ("message" or "subscribe").
    ("channels/chat/wakeup.py", 'message.get("type") == "message"'),
}


def step_key_uses(line: str, keys: list[str]) -> list[str]:
    """The step keys `line` uses as step keys (see the module's docstring)."""
    quoted = [k for k in keys if re.search(rf"""["']{re.escape(k)}["']""", line)]
    styled = [k for k in keys if re.search(rf"\.?card-{re.escape(k)}\b", line)]
    listed = [k for k in keys if re.search(rf"""["']{re.escape(k)}["']\s*[,)}}\]]""", line)]
    if len(listed) >= 2:
        return listed + styled
    # "type" as a step's field or attribute, not an HTML attribute (type="submit").
    typed = re.search(r"""\btype(_key)?\b(?!=["'])|\bkey\s*(,|=)""", line) is not None
    return (quoted if typed else []) + styled


def built_in_keys() -> list[str]:
    """The keys of the step types that ship with Stepwise (not the tests' own)."""
    return [
        key
        for key, step_type in STEP_TYPES.items()
        if type(step_type).__module__.startswith("journeys.core.steps.")
    ]


def _sources() -> list[Path]:
    found = []
    for top in WALKED:
        for path in sorted((ROOT / top).rglob("*")):
            if path.suffix in SUFFIXES and "migrations" not in path.parts:
                found.append(path)
    return found


def _own_key(path: Path) -> str | None:
    relative = path.relative_to(ROOT)
    if relative.parts[:3] == ("journeys", "core", "steps"):
        return path.stem
    return None


def test_no_source_file_spells_a_step_key_outside_its_own_module():
    keys = built_in_keys()
    found = []
    for path in _sources():
        relative = str(path.relative_to(ROOT))
        others = [k for k in keys if k != _own_key(path)]
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            if any(relative == where and text in line for where, text in ALLOWED):
                continue
            for key in step_key_uses(line, others):
                found.append(f"{relative}:{number}: {key!r} in {line.strip()[:90]}")

    assert found == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('if raw.get("type") == "delay" and "duration" in raw:', ["delay"]),
        ('return {"id": raw.get("id"), "type": "message", "channel": channel}', ["message"]),
        ('{% if card.type_key != "exit" %}', ["exit"]),
        ('    key = "notify"', ["notify"]),
        ('{"message", "waiting", "notify", "update_contact"}', ["message", "notify"]),
        (".card-branch, .card-split { border-left-color: #7c3aed; }", ["branch", "split"]),
        ('context = {"message": message, "error": error}', []),
        ('{"title": "Not allowed", "message": message, "ask": ASK}', []),
        ('<button type="submit" name="action" value="exit">', []),
        ('if action == "exit":', []),
        ('kind = "split"', []),
    ],
)
def test_the_walk_tells_a_step_key_from_the_same_word(line, expected):
    keys = ["message", "delay", "notify", "exit", "branch", "split", "ask"]

    assert sorted(step_key_uses(line, keys)) == sorted(expected)
