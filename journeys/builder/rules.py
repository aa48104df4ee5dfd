"""The journey's rules in one plain sentence each: who enters (the trigger with its
filters), who may (the audience), what counts as done (the goal) and what makes people
leave (the exits). The canvas's rule cards and the publish page say them the same way.

Conditions are worded by journeys.builder.names (the format's own parser); the names of
contact fields that hold an address come from the channels (“email address”). Pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from channels.registry import all_channels
from journeys.builder.graph import list_at, map_at
from journeys.builder.names import condition_sentence, condition_words, duration_text
from journeys.core.conditions import parse_condition
from journeys.core.problems import Reader


@dataclass(frozen=True)
class RuleSentences:
    trigger: str
    audience: str
    goal: str
    exits: str


def trigger_words(document: Mapping[str, Any]) -> dict[str, str]:
    """The trigger's event and the four rule sentences, for the canvas's rule cards."""
    sentences = rule_sentences(document)
    return {"event": str(map_at(document, "trigger").get("event") or "")} | {
        "sentence": sentences.trigger,
        "audience": sentences.audience,
        "goal": sentences.goal,
        "exits": sentences.exits,
    }


def rule_sentences(document: Mapping[str, Any]) -> RuleSentences:
    """The four rules of a draft (or a version's document), one sentence each."""
    return RuleSentences(
        trigger=trigger_sentence(document),
        audience=audience_sentence(list_at(document, "audience")),
        goal=goal_sentence(document.get("goal")),
        exits=exits_sentence(list_at(document, "exit")),
    )


def trigger_sentence(document: Mapping[str, Any]) -> str:
    """ "Starts when someone does “Signed Up”, where plan is “free” or “trial”." """
    trigger = map_at(document, "trigger")
    if not trigger.get("event"):
        return "No trigger yet: choose the event that lets people in."
    return f"Starts when someone does {_event_with_filters(trigger)}."


def audience_sentence(conditions: Sequence[Any]) -> str:
    """ "Only people who have an email address." or "Everyone." """
    if not conditions:
        return "Everyone."
    return "Only people " + " and ".join(_person_words(raw) for raw in conditions) + "."


def goal_sentence(goal: Any) -> str:
    """ "Counts as done when they do “Invited Teammate” within 14 days." """
    if not isinstance(goal, Mapping) or not goal.get("event"):
        return "No goal yet: the report cannot say what converted."
    within = f" within {duration_text(str(goal['within']))}" if goal.get("within") else ""
    return f"Counts as done when they do {_event_with_filters(goal)}{within}."


def exits_sentence(rules: Sequence[Any]) -> str:
    """ "Leaves the journey when they do “Account Deleted”." or "Nobody leaves early." """
    events = [_event_with_filters(rule) for rule in rules if isinstance(rule, Mapping)]
    if not events:
        return "Nobody leaves early."
    return "Leaves the journey when they do " + " or ".join(events) + "."


def _event_with_filters(rule: Mapping[str, Any]) -> str:
    filters = [condition_words(item, of_event=True) for item in list_at(rule, "where")]
    where = f", where {' and '.join(filters)}" if filters else ""
    return f"“{rule.get('event')}”{where}"


def _person_words(raw: Any) -> str:
    """One audience condition about a person: "who have an email address", "whose plan
    is “pro”", "who did “Created Note” in the last 7 days"."""
    condition = parse_condition(Reader(), raw, "condition") if isinstance(raw, Mapping) else None
    if condition is None:
        return f"for whom {condition_words(raw)}"
    if condition.kind == "trait" and condition.op in {"exists", "not_exists"}:
        thing = trait_words(condition.name)
        if condition.op == "not_exists":
            return f"who have no {thing}"
        return f"who have {'an' if thing[:1] in 'aeiou' else 'a'} {thing}"
    if condition.kind == "event":
        return f"who {condition_sentence(condition)}"
    if condition.kind == "trait":
        return f"whose {condition_sentence(condition)}"
    return f"for whom {condition_sentence(condition)}"


def trait_words(name: str) -> str:
    """A contact trait as staff call it: the channels' name for an address field (“email
    address”, “phone number”), else its name in words (“first name”)."""
    for channel in all_channels():
        if channel.contact_field and channel.contact_field == name:
            return channel.address_words
    return name.replace("_", " ")
