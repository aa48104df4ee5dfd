"""A draft's steps read by their types' own parsers: the typed specs the cards and the
checks work on. A draft may be unfinished; a step that does not parse yet comes back with
its problems instead of a spec. Pure: channel facts are passed in."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.registry import channel_facts
from journeys.builder.graph import steps_of
from journeys.core.problems import Problem, Reader
from journeys.core.spec import StepSpec
from journeys.core.steps import STEP_TYPES, ParseContext, type_of
from journeys.core.steps.base import Channels


def parse_step(
    raw: Mapping[str, Any], index: int, channels: Channels
) -> tuple[StepSpec | None, list[Problem]]:
    """The typed step at `index` of the draft, or None and why it is not finished."""
    reader = Reader()
    step_type = STEP_TYPES.get(str(raw.get("type", "")))
    path = f"steps[{index}]"
    if step_type is None:
        reader.add(f"{path}.type", "Stepwise does not know this kind of step: delete it.")
        return None, reader.problems
    kwargs = step_type.parse(reader, raw, path, ParseContext(channels=channels))
    if kwargs is None or reader.problems:
        return None, reader.problems or [Problem(path, "Fill in the rest of this step.")]
    step_id = str(raw.get("id", ""))
    next_id = raw.get("next") if step_type.has_next else None
    name = raw.get("name") if isinstance(raw.get("name"), str) else ""
    return step_type.spec(id=step_id, next=next_id, name=name, **kwargs), []


def parsed_steps(document: Mapping[str, Any], channels: Channels) -> list[StepSpec]:
    """Every step of the draft that its type can read, in the draft's order."""
    found = (parse_step(raw, index, channels)[0] for index, raw in enumerate(steps_of(document)))
    return [step for step in found if step is not None]


def sent_languages(raw: Mapping[str, Any], channels: Channels) -> list[str]:
    """The languages a step's variants have a version in, besides the default one."""
    step, _problems = parse_step(raw, 0, channels)
    if step is None or not type_of(step).channel(step):
        return []
    codes = [code for v in type_of(step).variants(step, channel_facts()) for code in v.languages()]
    return list(dict.fromkeys(codes))


def sent_content(
    raw: Mapping[str, Any], channels: Channels, language: str = ""
) -> tuple[str, list[dict[str, Any]]]:
    """The channel and the variants (as the document writes them) a step sends, as its type
    reads them, in the version for `language` ("" the default, as the worker lays it over);
    while it does not parse yet, the raw step's own "channel" and "variants"."""
    step, _problems = parse_step(raw, 0, channels)
    if step is not None and type_of(step).channel(step):
        step_type = type_of(step)
        variants = step_type.variants(step, channel_facts())
        return step_type.channel(step), [
            {"name": v.name, "weight": v.weight} | v.in_language(language).content()
            for v in variants
        ]
    items = raw.get("variants")
    found = [v for v in items if isinstance(v, Mapping)] if isinstance(items, list) else []
    return str(raw.get("channel", "")), [dict(v) for v in found]
