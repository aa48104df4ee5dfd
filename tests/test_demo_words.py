"""What the demo says to its users: from the demo product, and never a placeholder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onboarding.demo import demo_environment

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [
    ROOT / "onboarding" / "acme" / "journey.json",
    *sorted((ROOT / "examples").glob("*.json")),
]
PLACEHOLDERS = {"", "...", "…", "todo", "tbd", "lorem ipsum", "text", "body"}


def test_the_demo_sends_as_acme_notes():
    assert demo_environment(8000)["DEFAULT_FROM_EMAIL"] == "Acme Notes <hello@acme.example>"


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_no_demo_message_body_is_a_placeholder(path):
    document = json.loads(path.read_text())
    for step in document["steps"]:
        for variant in step.get("variants", []):
            body = variant.get("body", "")
            assert body.strip().casefold() not in PLACEHOLDERS, f"{step['id']}: {body!r}"
            assert any(char.isalpha() for char in body), f"{step['id']}: {body!r}"
