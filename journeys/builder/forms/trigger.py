"""The trigger card's editor: the event that lets people in (with property filters), the
goal that converts them, and the events that make them leave early."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from journeys.builder.forms.conditions import (
    ConditionFormSet,
    condition_initial,
    conditions_from,
)
from journeys.builder.forms.step_fields import LengthField
from journeys.builder.graph import list_at, map_at


class TriggerForm(forms.Form):
    event = forms.CharField(
        label="People enter when they do",
        max_length=200,
        help_text="An event your product sends, e.g. “Signed Up”.",
        widget=forms.TextInput(attrs={"list": "catalogue-events"}),
    )
    goal = forms.CharField(
        label="Goal: they have succeeded when they do",
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"list": "catalogue-events"}),
        help_text="Reaching it ends the journey for them as converted. Empty: no goal.",
    )
    goal_within = LengthField(
        label="Goal counts within",
        max_length=100,
        required=False,
        help_text="For example “14 days”. Empty: any time.",
    )
    exits = forms.CharField(
        label="They leave early when they do",
        max_length=1000,
        required=False,
        help_text="Event names, separated by commas, e.g. “Account Deleted”.",
    )

    @staticmethod
    def filters(document: Mapping[str, Any], post: Any = None) -> Any:
        trigger = map_at(document, "trigger")
        items = list_at(trigger, "where")
        formset: Any
        if post is not None:
            formset = ConditionFormSet(post, prefix="where")
        else:
            initial = [condition_initial(item) | {"kind": "property"} for item in items]
            formset = ConditionFormSet(initial=initial, prefix="where")
        formset.legend = "Only when the event has"
        formset.first_kind = "property"  # what people filter an event by first
        return formset


def audience_formset(document: Mapping[str, Any], post: Any = None) -> Any:
    formset: Any
    if post is not None:
        formset = ConditionFormSet(post, prefix="audience")
    else:
        initial = [condition_initial(item) for item in list_at(document, "audience")]
        formset = ConditionFormSet(initial=initial, prefix="audience")
    formset.legend = "Who may enter: only people for whom all of these hold"
    return formset


def trigger_initial(document: Mapping[str, Any]) -> dict[str, Any]:
    trigger = map_at(document, "trigger")
    goal = map_at(document, "goal")
    exits = list_at(document, "exit")
    return {
        "event": trigger.get("event", ""),
        "goal": goal.get("event", ""),
        "goal_within": goal.get("within") or "",
        "exits": ", ".join(str(rule.get("event")) for rule in exits if isinstance(rule, dict)),
    }


def trigger_document(
    document: Mapping[str, Any], data: Mapping[str, Any], filters: Any, audience: Any = None
) -> dict[str, Any]:
    """The draft with the trigger, audience, goal and exit rules from the form."""
    result = dict(document)
    if audience is not None:
        rules = conditions_from(audience)
        if rules:
            result["audience"] = rules
        else:
            result.pop("audience", None)
    trigger: dict[str, Any] = {"event": data["event"].strip()}
    where = conditions_from(filters, kind="property")
    if where:
        trigger["where"] = where
    result["trigger"] = trigger
    if data.get("goal"):
        goal: dict[str, Any] = {"event": data["goal"].strip()}
        old_goal = map_at(document, "goal")
        if old_goal.get("where"):
            goal["where"] = old_goal["where"]
        if data.get("goal_within"):
            goal["within"] = data["goal_within"]
        result["goal"] = goal
    else:
        result.pop("goal", None)
    exits = [name.strip() for name in (data.get("exits") or "").split(",") if name.strip()]
    if exits:
        result["exit"] = [{"event": name} for name in exits]
    else:
        result.pop("exit", None)
    return result
