"""The validation panel: what is wrong with a draft (errors block publishing) and what
looks wrong given the real data (warnings do not). Pure: the format's parser and the
catalogue's facts are passed in.

Errors come from the format's own parser (the one publishing uses), so the panel and
publish never disagree. Warnings are the lint from real data: events nobody sent in the
last 30 days (with the near-miss names the catalogue knows), another live journey on the
same trigger, and what each step type says looks wrong with its own steps (a wait with no
time limit; a message on a channel whose address nothing checks the contact has, from the
channels' facts): `StepType.warnings`, over the typed steps the draft's types can read.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels.registry import all_channels, get_channel
from journeys.builder.graph import list_at, map_at, steps_of
from journeys.builder.names import name_of, step_name
from journeys.builder.paths import place
from journeys.core.conditions import Condition
from journeys.core.problems import SpecError
from journeys.core.scope import variable
from journeys.core.spec import StepSpec
from journeys.core.steps import type_of
from journeys.core.steps.form import DraftFacts

Parse = Callable[[Mapping[str, Any]], object]
LINT_DAYS = 30


@dataclass(frozen=True)
class Check:
    severity: str  # "error" or "warning"
    step: str | None  # the step id it is about (its card), None for the journey
    where: str
    what: str

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def draft_checks(
    document: Mapping[str, Any],
    *,
    parse: Parse,
    steps: Sequence[StepSpec],
    recent_events: Sequence[str],
    known_events: Sequence[str],
    same_trigger: Sequence[str] = (),
) -> list[Check]:
    """Every problem of the draft, errors first, each with the step (card) it is about.

    `steps`: the draft's steps its types can read; `recent_events`: names sent in the last
    LINT_DAYS days; `known_events`: every name the catalogue has; `same_trigger`: names of
    other live journeys on the same trigger.
    """
    found = _errors(document, parse)
    found += _event_lint(document, steps, recent_events, known_events)
    found += _step_lint(document, steps)
    event = _trigger_event(document)
    for name in same_trigger:
        found.append(
            Check(
                "warning",
                None,
                "the trigger",
                f"The live journey “{name}” also starts on “{event}”: people may get both.",
            )
        )
    return sorted(found, key=lambda check: not check.is_error)


def _errors(document: Mapping[str, Any], parse: Parse) -> list[Check]:
    try:
        parse(document)
    except SpecError as exc:
        checks = []
        for problem in exc.problems:
            spot = place(document, problem.path)
            checks.append(Check("error", spot.step, spot.words, _sentence(problem.message)))
        return checks
    return []


def _sentence(message: str) -> str:
    message = message.strip()
    return message[:1].upper() + message[1:]


def _trigger_event(document: Mapping[str, Any]) -> str:
    trigger = document.get("trigger")
    return str(trigger.get("event") or "") if isinstance(trigger, Mapping) else ""


def _event_lint(
    document: Mapping[str, Any],
    steps: Sequence[StepSpec],
    recent: Sequence[str],
    known: Sequence[str],
) -> list[Check]:
    recent_set = set(recent)
    uses: list[tuple[str | None, str, str]] = []
    if _trigger_event(document):
        uses.append((None, "the trigger", _trigger_event(document)))
    goal = document.get("goal")
    if isinstance(goal, Mapping) and goal.get("event"):
        uses.append((None, "the goal", str(goal["event"])))
    for step in steps:
        for name in type_of(step).catalogue_events(step):
            uses.append((step.id, f"“{step.name or step_name(step.id)}”", name))
    checks = []
    for use_step, where, event in uses:
        if event in recent_set:
            continue
        close = difflib.get_close_matches(
            event, [name for name in known if name != event], n=1, cutoff=0.6
        )
        if not close:
            lowered = {name.lower(): name for name in known if name != event}
            close = [lowered[event.lower()]] if event.lower() in lowered else []
        hint = f" Did you mean “{close[0]}”?" if close else ""
        checks.append(
            Check(
                "warning",
                use_step,
                where,
                f"Nobody has sent “{event}” in the last {LINT_DAYS} days.{hint}",
            )
        )
    return checks


def _step_lint(document: Mapping[str, Any], steps: Sequence[StepSpec]) -> list[Check]:
    language = str(document.get("language") or "en")
    facts = DraftFacts(address_warnings=_address_warnings(document, steps), language=language)
    return [
        Check("warning", step.id, f"“{step.name or step_name(step.id)}”", warning)
        for step in steps
        for warning in type_of(step).warnings(step, facts)
    ]


def _address_warnings(document: Mapping[str, Any], steps: Sequence[StepSpec]) -> dict[str, str]:
    """For each channel whose address contacts often lack, and that nothing in the draft
    checks for, the warning a step sending on it gets (the step type decides if it does)."""
    found = {}
    for channel in all_channels():
        if channel.address_often_missing and not _address_required(
            document, steps, channel.contact_field
        ):
            found[channel.key] = (
                f"Sends {channel.noun}, but nothing checks that the contact has a "
                f"{channel.address_words} (add a branch on “{channel.contact_field} is set” "
                "before it)."
            )
    return found


def channel_checks(
    document: Mapping[str, Any], *, contact_ids: Sequence[int], event: str
) -> list[Check]:
    """What the channel of each step that has one warns about the step's variants (text
    cut on a phone, a payload too big) and about the people who did the trigger lately
    (`contact_ids`)."""
    checks = []
    for step in steps_of(document):
        channel = get_channel(str(step.get("channel", "")))
        if channel is None:
            continue
        step_id = str(step.get("id"))
        where = f"“{name_of(step)}”"
        for variant in list_at(step, "variants"):
            if not isinstance(variant, Mapping):
                continue
            fields = {k: v for k, v in variant.items() if isinstance(v, str)}
            name = fields.get("name", "")
            for words in channel.content_warnings(fields):
                said = f"Variant {name}: {words}" if name else words
                checks.append(Check("warning", step_id, where, said))
        reach = channel.reach_warning(contact_ids, event)
        if reach:
            checks.append(Check("warning", step_id, where, reach))
    return checks


def _address_required(document: Mapping[str, Any], steps: Sequence[StepSpec], trait: str) -> bool:
    """Whether the audience or a step's conditions check that the contact has this trait."""

    def tested(condition: Condition) -> bool:
        return (condition.kind, condition.name, condition.op) == ("trait", trait, "exists")

    audience = document.get("audience")
    if isinstance(audience, list) and any(
        isinstance(c, Mapping) and c.get("trait") == trait and c.get("op") == "exists"
        for c in audience
    ):
        return True
    return any(tested(c) for step in steps for c in type_of(step).conditions(step))


_CONTACT_VARIABLE = re.compile(r"\{\{\s*contact\.(?:traits\.)?([A-Za-z_][A-Za-z0-9_]*)([^}]*)\}\}")
EMPTY_SHARE = 0.2  # warn when a variable is empty for at least this share of recent people


def empty_variable_checks(
    document: Mapping[str, Any], *, people: Sequence[Mapping[str, Any]], event: str
) -> list[Check]:
    """Variables a message uses that are empty for many of the people who did the trigger
    lately (`people`: their template `contact` values), unless the text gives a default."""
    if not people:
        return []
    checks = []
    for step in steps_of(document):
        names: dict[str, None] = {}
        for variant in list_at(step, "variants"):
            if not isinstance(variant, Mapping):
                continue
            for value in variant.values():
                for match in _CONTACT_VARIABLE.finditer(value if isinstance(value, str) else ""):
                    if "default" not in match.group(2):
                        names[match.group(1)] = None
        step_id = str(step.get("id"))
        for name in names:
            empty = sum(1 for person in people if not _value(person, name))
            if empty / len(people) >= EMPTY_SHARE:
                share = round(100 * empty / len(people))
                checks.append(
                    Check(
                        "warning",
                        step_id,
                        f"“{name_of(step)}”",
                        f"Uses [{name.replace('_', ' ')}], which is empty for {share} % of the "
                        f"{len(people)} people who did “{event}” lately: they would see a gap. "
                        f"Add a default, e.g. {{{{ contact.{name} | default: 'there' }}}}.",
                    )
                )
    return checks


def _value(person: Mapping[str, Any], name: str) -> Any:
    return person.get(name) or map_at(person, "traits").get(name)


_ALWAYS_THERE = frozenset(
    {"user_id", "email", "phone", "first_name", "last_name", "locale", "timezone", "traits"}
)


def unknown_variable_checks(document: Mapping[str, Any], *, traits: Sequence[str]) -> list[Check]:
    """Variables no contact has (`traits`): most often a typo, always an empty gap. (Event
    values: journeys.builder.reach_checks.)"""
    known_traits = set(traits) | _ALWAYS_THERE
    checks = []
    for step in steps_of(document):
        texts = [
            value
            for variant in list_at(step, "variants")
            if isinstance(variant, Mapping)
            for value in variant.values()
            if isinstance(value, str)
        ]
        unknown: dict[str, None] = {}
        for text in texts:
            for match in _CONTACT_VARIABLE.finditer(text):
                if match.group(1) not in known_traits:
                    unknown[match.group(1)] = None
        for key in unknown:
            close = difflib.get_close_matches(key, list(known_traits), n=1)
            hint = f" Did you mean {variable('', close[0])}?" if close else ""
            checks.append(
                Check(
                    "warning",
                    str(step.get("id")),
                    f"“{name_of(step)}”",
                    f"Uses {{{{ contact.{key} }}}}, which no contact has: it would be empty.{hint}",
                )
            )
    return checks


@dataclass(frozen=True)
class Stopped:
    """People Stepwise could not do something for at one step: work it could not get past
    (journeys.run.isolation), or a message it could not write for them
    (channels.delivery.unrendered)."""

    step: str | None  # the step id, None when no step is to blame
    parked: bool  # True: stopped for good; False: still being retried
    people: int
    reason: str  # the newest one
    not_sent: bool = False  # a message not sent for missing data; the journey went on


def stopped_checks(
    stopped: Sequence[Stopped], names: Mapping[str, str] | None = None
) -> list[Check]:
    """The live journey's people the worker stopped on, as problems beside their step
    (`names`: the steps' given names, by id)."""
    checks = []
    for group in stopped:
        people = "1 person" if group.people == 1 else f"{group.people} people"
        where = f"“{step_name(group.step, names)}”" if group.step else "the journey"
        if group.not_sent:
            what = (
                f"{people} did not get this message: it needs a value they do not have. "
                f"Newest reason: {group.reason}."
            )
        else:
            state = "stopped here" if group.parked else "held here while Stepwise retries"
            what = f"{people} {state}: their data made it fail. Newest reason: {group.reason}."
        checks.append(Check("warning", group.step, where, what))
    return checks
