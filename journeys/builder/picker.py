"""The "Personalise" picker beside each text field of a message: the contact's traits as
they really occur and the properties of the events in reach at the step
(journeys.core.scope), each with a friendly name and an example from real data."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from journeys.builder.channels import template_fields
from journeys.builder.reach import draft_reach
from journeys.core.scope import in_every_way, names_in_reach, value_path
from journeys.core.steps.form import BuilderSide
from journeys.core.traits import KNOWN_TRAITS
from journeys.models import Contact, Event

SAMPLE_PEOPLE = 500  # the most recently seen contacts the traits are read from
SAMPLE_EVENTS = 50  # the latest events of each name their properties are read from
_COLUMNS = ("first_name", "last_name", "email", "phone", "locale", "timezone")
_SAME = {"firstname": "first_name", "lastname": "last_name", "timezone": "timezone"}


@dataclass(frozen=True)
class Choice:
    label: str
    path: str  # where the template finds it, e.g. contact.first_name
    example: str
    sometimes: bool = False  # not everyone who gets here has it


@dataclass(frozen=True)
class Group:
    label: str
    choices: tuple[Choice, ...]


def friendly(key: str) -> str:
    """A key as words: "firstName" and "first_name" → "First name"."""
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", key).replace("_", " ").replace("-", " ")
    words = " ".join(spaced.split()).lower()
    return words[:1].upper() + words[1:]


def _norm(key: str) -> str:
    squashed = re.sub(r"[^a-z0-9]", "", key.lower())
    return _SAME.get(squashed, squashed)


def _examples(rows: Iterable[Mapping[str, Any]]) -> dict[str, tuple[str, str]]:
    """One entry per key however it is spelled: the commonest spelling and an example."""
    spellings: dict[str, Counter[str]] = {}
    examples: dict[str, str] = {}
    for row in rows:
        for key, value in row.items():
            if value in (None, "", [], {}):
                continue
            norm = _norm(key)
            spellings.setdefault(norm, Counter())[key] += 1
            examples.setdefault(norm, str(value)[:40])
    return {norm: (count.most_common(1)[0][0], examples[norm]) for norm, count in spellings.items()}


def trait_choices() -> tuple[Choice, ...]:
    rows = []
    people = Contact.objects.order_by("-last_seen_at").only("traits", *_COLUMNS)
    for person in people[:SAMPLE_PEOPLE]:
        traits = dict(person.traits or {}) if isinstance(person.traits, dict) else {}
        rows.append(traits | {name: getattr(person, name) for name in _COLUMNS})
    found = _examples(rows)
    choices = []
    for norm, (key, example) in sorted(found.items(), key=lambda item: friendly(item[0])):
        key = norm if norm in KNOWN_TRAITS else key
        choices.append(Choice(friendly(key), value_path("", key), example))
    return tuple(choices)


def event_choices(event: str, sometimes: bool) -> tuple[Choice, ...]:
    rows = Event.objects.filter(name=event, type=Event.Type.TRACK).order_by("-timestamp")
    properties = [r for r in rows.values_list("properties", flat=True)[:SAMPLE_EVENTS]]
    found = _examples(p for p in properties if isinstance(p, dict))
    return tuple(
        Choice(f"from {event}: {friendly(key)}", value_path(event, key), example, sometimes)
        for key, example in sorted(found.values())
    )


def step_picker(document: Mapping[str, Any], step_id: str) -> list[Group]:
    """What the step's texts can use, in groups: the person, then each event in reach."""
    scopes = draft_reach(document)(step_id)
    groups = [Group("About the person", trait_choices())]
    for name in names_in_reach(scopes):
        choices = event_choices(name, sometimes=not in_every_way(scopes, name))
        if choices:
            groups.append(Group(f"From “{name}”", choices))
    return groups


@dataclass(frozen=True)
class Picker:
    groups: list[Group]
    fields: frozenset[str]  # the variant fields it goes beside


def picker_for(document: Mapping[str, Any], step_id: str, step_type: BuilderSide) -> Picker | None:
    """The step editor's picker, beside every text the step sends that is written for each
    person: a message's fields a channel fills in (channels' `templates`) and the step's
    own fields marked `template` (an ask step's question). None for a step with none."""
    fields = {field.name for field in step_type.form_fields() if field.template}
    if step_type.previews:
        fields |= template_fields()
    return Picker(step_picker(document, step_id), frozenset(fields)) if fields else None
