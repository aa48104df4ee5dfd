"""The condition builder: one form per condition (what is tested, how, against what),
shared by every step type that declares a condition list and by the trigger editor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from journeys.builder.graph import list_at
from journeys.core.operators import OPERATORS

KIND_CHOICES = [
    ("trait", "A trait of the contact"),
    ("property", "A property of the event"),
    ("event", "Something the contact did"),
]
OP_CHOICES = [(key, op.words) for key, op in OPERATORS.items()]
SUBJECTS = tuple(key for key, _label in KIND_CHOICES)


def read_value(op: str, text: str) -> Any:
    """A condition's value as typed: "free, trial" is a list for "is in"; numbers stay numbers."""
    operator = OPERATORS.get(op)
    if operator is None or operator.takes == "none":
        return None
    if operator.takes == "list":
        return [scalar(part.strip()) for part in text.split(",") if part.strip()]
    return scalar(text.strip())


def scalar(text: str) -> Any:
    """A typed value as the document keeps it: yes/no are booleans, numbers are numbers."""
    lowered = text.lower()
    if lowered in {"true", "yes"}:
        return True
    if lowered in {"false", "no"}:
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def value_text(value: Any) -> str:
    """A document value as staff type it back ("free, trial", "yes")."""
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


class ConditionForm(forms.Form):
    """One condition: what is tested, how, and against what (the condition builder)."""

    kind = forms.ChoiceField(label="Test", choices=KIND_CHOICES)
    name = forms.CharField(
        label="Name", max_length=200, help_text="A trait, a property or an event name."
    )
    op = forms.ChoiceField(label="Comparison", choices=OP_CHOICES)
    value = forms.CharField(
        label="Value", required=False, max_length=500, help_text="Several values: a, b, c"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, op = data.get("kind"), data.get("op")
        operator = OPERATORS.get(op or "")
        if kind and operator is not None:
            if kind == "event" and not operator.for_events:
                self.add_error("op", "For something the contact did, choose “was performed”.")
            if kind != "event" and operator.for_events:
                self.add_error("op", "“was performed” is only for something the contact did.")
            if operator.takes != "none" and not (data.get("value") or "").strip():
                self.add_error("value", "Type the value to compare with.")
        return data

    def raw(self) -> dict[str, Any]:
        data = self.cleaned_data
        raw: dict[str, Any] = {data["kind"]: data["name"].strip(), "op": data["op"]}
        value = read_value(data["op"], data.get("value") or "")
        if value is not None:
            raw["value"] = value
        return raw


class BaseConditionFormSet(forms.BaseFormSet):
    """A condition list. A row added on the page (the formset's empty form) starts on
    `first_kind`: an event's property where the list filters an event, a trait elsewhere."""

    first_kind = SUBJECTS[0]

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().get_form_kwargs(index)
        if index is None:
            return kwargs | {"initial": {"kind": self.first_kind}}
        return kwargs


ConditionFormSet = forms.formset_factory(
    ConditionForm, formset=BaseConditionFormSet, extra=0, can_delete=True, max_num=20
)


def condition_initial(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    kind = next((k for k in SUBJECTS if k in raw), "trait")
    return {
        "kind": kind,
        "name": raw.get(kind, ""),
        "op": raw.get("op", "eq"),
        "value": value_text(raw.get("value")),
    }


def condition_set(
    raw: Mapping[str, Any], key: str, post: Any, legend: str, subject: str = ""
) -> Any:
    """The formset for the condition list at `key` of a raw step (or trigger part); a new
    row starts on `subject` when the list tests one kind only."""
    formset: Any
    if post is not None:
        formset = ConditionFormSet(post, prefix=key)
    else:
        initial = [condition_initial(c) for c in list_at(raw, key)]
        formset = ConditionFormSet(initial=initial, prefix=key)
    formset.legend = legend
    formset.first_kind = subject or formset.first_kind
    return formset


def conditions_from(formset: Any, *, kind: str | None = None) -> list[dict[str, Any]]:
    """The raw conditions of a valid formset; `kind` forces what each one tests."""
    found = []
    for form in formset.forms:
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        raw = form.raw()
        if kind is not None and kind not in raw:
            raw = {kind: raw.pop(next(k for k in SUBJECTS if k in raw))}
            raw |= {"op": form.cleaned_data["op"]}
            value = read_value(form.cleaned_data["op"], form.cleaned_data.get("value") or "")
            if value is not None:
                raw["value"] = value
        found.append(raw)
    return found
