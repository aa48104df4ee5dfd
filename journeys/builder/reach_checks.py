"""Warnings for event values a message uses: by journeys.core.scope, the rule delivery
fills them in by, and the catalogue's properties of each event. A value with a fallback
(`| default: …`) is never empty, so it is never warned about."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from journeys.builder.checks import Check
from journeys.builder.graph import list_at, steps_of
from journeys.builder.names import name_of
from journeys.core.scope import Scope, in_every_way, names_in_reach

_NAMED = re.compile(
    r"""\{\{\s*events\[(["'])(.+?)\1\]"""
    r"""(?:\.(?:properties\.)?([A-Za-z_]\w*)|\[(["'])(.+?)\4\])([^}]*)\}\}"""
)
_NEWEST = re.compile(
    r"""\{\{\s*event(?:\.(?:properties\.)?([A-Za-z_]\w*)|\[(["'])(.+?)\2\])([^}]*)\}\}"""
)
_OWN = frozenset({"name", "timestamp", "properties"})
FIX = "Pick the value again from “Personalise”, or write what to show when it is empty."


def reach_checks(
    document: Mapping[str, Any],
    *,
    scopes: Callable[[str], Sequence[Scope]],
    properties: Mapping[str, Sequence[str]],
) -> list[Check]:
    """Event values the draft's messages use that would be missing for some people:
    `scopes` gives the events in reach at a step, `properties` the keys each event
    carried (the catalogue's; an event it does not know is not judged)."""
    checks = []
    for step in steps_of(document):
        step_id = str(step.get("id"))
        texts = [
            value
            for variant in list_at(step, "variants")
            if isinstance(variant, Mapping)
            for value in variant.values()
            if isinstance(value, str) and "{{" in value
        ]
        if not texts:
            continue
        found = scopes(step_id)
        said: dict[str, None] = {}
        for text in texts:
            for what in _problems(text, found, properties):
                said[what] = None
        checks += [Check("warning", step_id, f"“{name_of(step)}”", what) for what in said]
    return checks


def _problems(
    text: str, scopes: Sequence[Scope], properties: Mapping[str, Sequence[str]]
) -> list[str]:
    found = []
    for match in _NAMED.finditer(text):
        event, key, rest = match.group(2), match.group(3) or match.group(5), match.group(6)
        if "default" not in rest:
            found += _named(event, key, scopes, properties)
    for match in _NEWEST.finditer(text):
        key, rest = match.group(1) or match.group(3), match.group(4)
        if "default" not in rest and key not in _OWN:
            newest = dict.fromkeys(scope[-1].event for scope in scopes if scope)
            found += [
                _never_had(name, key, properties)
                for name in newest
                if _lacks(properties, name, key)
            ]
    return found


def _named(
    event: str, key: str, scopes: Sequence[Scope], properties: Mapping[str, Sequence[str]]
) -> list[str]:
    if event not in names_in_reach(scopes):
        return [
            f"Uses “{key}” from “{event}”, but nobody gets here after “{event}” in this "
            f"journey: it would be empty. {FIX}"
        ]
    if not in_every_way(scopes, event):
        return [
            f"Uses “{key}” from “{event}”, which people who got here without doing "
            f"“{event}” (the time ran out) do not have: they would see a gap. {FIX}"
        ]
    if key not in _OWN and _lacks(properties, event, key):
        return [_never_had(event, key, properties)]
    return []


def _lacks(properties: Mapping[str, Sequence[str]], event: str, key: str) -> bool:
    return event in properties and key not in properties[event]


def _never_had(event: str, key: str, properties: Mapping[str, Sequence[str]]) -> str:
    close = difflib.get_close_matches(key, list(properties.get(event, ())), n=1)
    hint = f" Did you mean “{close[0]}”?" if close else f" {FIX}"
    return f"Uses “{key}” from “{event}”, which “{event}” has never had: it would be empty.{hint}"
