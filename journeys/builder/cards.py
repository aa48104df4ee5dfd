"""What each card on the canvas says: the step's name, its type and its essentials in
plain words, read by the step type's own parser and summary (never a second copy of
their rules). Pure: no Django.

A draft may be unfinished; a step its type cannot read yet says so on its card instead
of a summary ("Not finished: the event to wait for is missing").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from channels.delivery.rules import after_quiet_hours
from channels.registry import channel_facts
from journeys.builder.graph import steps_of, targets
from journeys.builder.layout import Layout, Node, Outcome, lay_out
from journeys.builder.names import name_of
from journeys.builder.paths import place
from journeys.builder.typed import parse_step
from journeys.builder.words import length_words
from journeys.core.problems import Problem
from journeys.core.spec import JourneySpec, StepSpec, Trigger
from journeys.core.steps import STEP_TYPES, type_of

_VARIABLE = re.compile(
    r"\{\{\s*(?:contact|event)?\.?(?:properties\.|traits\.)?([A-Za-z_]+)[^}]*\}\}"
)
_TRAIT = re.compile(r"\btrait ([A-Za-z_][\w.]*)")
_PROPERTY = re.compile(r"\bproperty ([A-Za-z_][\w.]*)")
OutletLabel = Callable[[Mapping[str, Any], str], str]
Outlets = Callable[[Mapping[str, Any]], Sequence[str]]
# The timing example on delay cards: a person in Paris who arrives on a Friday evening.
SAMPLE_ZONE = ZoneInfo("Europe/Paris")
SAMPLE_ARRIVAL = datetime(2026, 12, 4, 17, 0, tzinfo=UTC)  # Friday 18:00 in Paris


@dataclass(frozen=True)
class CardInfo:
    id: str
    name: str
    type_key: str
    type_label: str
    summary: str
    unfinished: str = ""
    timing: str = ""
    channel: str = ""
    ends_journey: bool = False
    look: str = "plain"


def step_cards(
    document: Mapping[str, Any], *, quiet: Mapping[str, tuple[time, time]] | None = None
) -> dict[str, CardInfo]:
    """A CardInfo for every step of the draft, by step id; `quiet` holds each channel's
    quiet hours (start, end), for the timing sentence on message cards."""
    steps = steps_of(document)
    parsed: dict[str, StepSpec] = {}
    problems: dict[str, list[Problem]] = {}
    for index, raw in enumerate(steps):
        step, found = parse_step(raw, index, channel_facts())
        step_id = str(raw.get("id", ""))
        if step is not None:
            parsed[step_id] = step
        problems[step_id] = found
    spec = JourneySpec(
        key="draft", name="draft", trigger=Trigger("draft"), steps=tuple(parsed.values())
    )
    cards = {}
    for raw in steps:
        step_id = str(raw.get("id", ""))
        type_key = str(raw.get("type", ""))
        step_type = STEP_TYPES.get(type_key)
        label = str(getattr(step_type, "label", type_key or "Unknown step"))
        step = parsed.get(step_id)
        summary, unfinished = "", ""
        if step is not None and step_type is not None:
            try:
                summary = readable_variables(step_type.summary(step, spec, channel_facts()))
            except (KeyError, IndexError):
                summary = label
        else:
            first = problems[step_id][0] if problems[step_id] else None
            where = place(document, first.path).words if first else ""
            unfinished = f"Not finished: {where}: {first.message}" if first else "Not finished"
        cards[step_id] = CardInfo(
            id=step_id,
            name=name_of(raw),
            type_key=type_key,
            type_label=label,
            summary=summary,
            unfinished=unfinished,
            timing=timing_words(step)
            or quiet_words(raw, (quiet or {}).get(str(raw.get("channel")))),
            channel=str(raw.get("channel", "")),
            ends_journey=bool(getattr(step_type, "ends_journey", False)),
            look=str(getattr(step_type, "look", "plain")),
        )
    return cards


def readable_variables(text: str) -> str:
    """ "Welcome, {{ contact.first_name }}" → "Welcome, [first name]", and the engine's
    "trait phone is set" → "their phone is set", for a card."""
    text = _VARIABLE.sub(lambda m: f"[{m.group(1).replace('_', ' ')}]", text)
    text = _TRAIT.sub(lambda m: f"their {m.group(1).replace('_', ' ')}", text)
    return _PROPERTY.sub(lambda m: f"the event's {m.group(1).replace('_', ' ')}", text)


def timing_words(step: StepSpec | None) -> str:
    """When a step that waits on a clock lets a sample person go on (or take the timeout
    path), by its type's own time rule."""
    timing = type_of(step).timing(step, SAMPLE_ARRIVAL, SAMPLE_ZONE) if step else None
    if timing is None:
        return ""
    how, end_utc = timing
    start = SAMPLE_ARRIVAL.astimezone(SAMPLE_ZONE)
    end = end_utc.astimezone(SAMPLE_ZONE)
    arrive = f"If Ada reaches this step on {start:%A} at {start:%H:%M} in Paris"
    if how == "goes_on":
        return f"{arrive}, she goes on to the next step {_day(end, start)} at {end:%H:%M}."
    return (
        f"{arrive} and does nothing, she takes the other path {_day(end, start)} "
        f"at {end:%H:%M} ({length_words(end_utc - SAMPLE_ARRIVAL)} later)."
    )


def quiet_words(raw: Mapping[str, Any], quiet: tuple[time, time] | None) -> str:
    """A message's quiet hours for a sample person, by the channels' own rule."""
    step_type = STEP_TYPES.get(str(raw.get("type", "")))
    if step_type is None or not step_type.previews or quiet is None or quiet[0] == quiet[1]:
        return ""
    start, end = quiet
    local = SAMPLE_ARRIVAL.astimezone(SAMPLE_ZONE)
    arrive = datetime.combine(local.date(), start, tzinfo=SAMPLE_ZONE) + timedelta(hours=1)
    sent = after_quiet_hours(arrive.astimezone(UTC), SAMPLE_ZONE, start, end)
    sent_local = sent.astimezone(SAMPLE_ZONE)
    return (
        f"Not sent between {start:%H:%M} and {end:%H:%M} in the contact's time zone: "
        f"if Ada reaches it on {arrive:%A} at {arrive:%H:%M} in Paris, she gets it "
        f"{_day(sent_local, arrive)} at {sent_local:%H:%M}."
    )


def _day(end: datetime, start: datetime) -> str:
    if end.date() == start.date():
        return "the same day"
    if end.date() - start.date() == timedelta(days=1):
        return "the next day"
    if end.date() - start.date() < timedelta(days=7):
        return f"on {end:%A}"
    return f"on {end:%A %-d %B}"


def canvas_layout(
    document: Mapping[str, Any], *, outlets: Outlets, outlet_label: OutletLabel
) -> Layout:
    """The draft laid out as cards and lanes (journeys.builder.layout)."""
    graph = targets(document, outlets)
    raws = {str(step.get("id", "")): step for step in steps_of(document)}
    nodes = [
        Node(
            step_id,
            tuple(
                Outcome(key, outlet_label(raws[step_id], key), target)
                for key, target in outs.items()
            ),
        )
        for step_id, outs in graph.items()
    ]
    return lay_out(nodes)
