"""The Django field for each kind a step type may declare (journeys.core.steps.form).

Each field cleans what staff typed into the document's own form ("2 days" → "P2D") and
shows a document value back as words (`prepare_value`), so a step type only ever sees
document values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from channels.registry import chat_channel
from journeys.builder.channels import channel_picker, first_channel, reply_channel_picker
from journeys.builder.forms.conditions import scalar, value_text
from journeys.builder.words import (
    LocalTime,
    WordsError,
    iso_length,
    length_words,
    local_time_words,
    parse_length,
    parse_wait,
)
from journeys.core.durations import parse_duration, parse_time_of_day
from journeys.core.format import MAX_STEP_NAME
from journeys.core.steps.form import FormField

# Kinds edited as a list of forms beside the step's form, not as one field.
SET_KINDS = frozenset({"conditions", "variants"})


class NameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", MAX_STEP_NAME)
        kwargs.setdefault("label", "Step name")
        kwargs.setdefault("help_text", "How this step is called on the canvas and in reports.")
        super().__init__(**kwargs)


class TextField(forms.CharField):
    """Text; a value of another type in the document is shown as staff would type it."""

    def prepare_value(self, value: Any) -> Any:
        return value if isinstance(value, str) or value is None else value_text(value)


class LengthField(forms.CharField):
    """A length of time typed in words ("2 days", "3h"), kept as ISO 8601 ("P2D")."""

    def clean(self, value: Any) -> str:
        text = super().clean(value)
        if not text:
            return ""
        try:
            return iso_length(parse_length(text))
        except WordsError as exc:
            raise forms.ValidationError(str(exc)) from None

    def prepare_value(self, value: Any) -> Any:
        if not isinstance(value, str):
            return ""
        try:
            return length_words(parse_duration(value))
        except ValueError:
            return value


class WaitField(forms.CharField):
    """A length or a local time of day, kept as {"duration": ...} or {"until": {...}}."""

    def clean(self, value: Any) -> dict[str, Any]:
        text = super().clean(value)
        try:
            wait = parse_wait(text)
        except WordsError as exc:
            raise forms.ValidationError(str(exc)) from None
        if isinstance(wait, LocalTime):
            return {"until": wait.document()}
        return {"duration": iso_length(wait)}

    def prepare_value(self, value: Any) -> Any:
        if not isinstance(value, Mapping):
            return value
        if "duration" in value:
            return LengthField().prepare_value(value["duration"])
        until = value.get("until")
        if isinstance(until, Mapping) and isinstance(until.get("time"), str):
            try:
                at = parse_time_of_day(until["time"])
            except ValueError:
                return str(until.get("time"))
            return local_time_words(LocalTime(at, tuple(until.get("weekdays") or ())))
        return ""


class PercentsField(forms.CharField):
    """Whole numbers adding up to 100, typed "90, 10"."""

    def clean(self, value: Any) -> list[int]:
        text = super().clean(value)
        try:
            values = [int(p.strip(" %")) for p in text.split(",")]
        except ValueError:
            raise forms.ValidationError("Type whole numbers, e.g. “50, 50”.") from None
        if len(values) < 2 or sum(values) != 100 or min(values) < 1:
            raise forms.ValidationError("Give two or more paths adding up to 100.")
        return values

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return ", ".join(str(item if item is not None else "") for item in value)
        return value


class AssignmentsField(forms.CharField):
    """Traits to set, one "name = value" a line, kept as a mapping."""

    def clean(self, value: Any) -> dict[str, Any]:
        text = super().clean(value)
        found = {}
        for line in text.splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise forms.ValidationError(f"“{line.strip()}” needs “trait = value”.")
            name, typed = line.split("=", 1)
            found[name.strip()] = scalar(typed.strip())
        if not found:
            raise forms.ValidationError("Give at least one trait.")
        return found

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, Mapping):
            return "\n".join(f"{k} = {value_text(v)}" for k, v in value.items())
        return value


class LinesField(forms.CharField):
    """Short texts, one a line, kept as a list."""

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value)
        return [line.strip() for line in text.splitlines() if line.strip()]

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value


_TEXT_CLASSES: dict[str, type[forms.CharField]] = {
    "text": TextField,
    "event": TextField,
    "long_text": TextField,
    "duration": LengthField,
    "wait": WaitField,
    "percents": PercentsField,
    "assignments": AssignmentsField,
    "lines": LinesField,
}
_TEXTAREA_KINDS = frozenset({"long_text", "assignments", "lines"})


def channel_default(declared: FormField) -> str:
    """The channel a new step starts on: the chat for a question, else the first one."""
    return chat_channel() if declared.replies else first_channel()


def form_field(declared: FormField) -> forms.Field:
    """The Django field for one declared field (not for the formset kinds)."""
    common: dict[str, Any] = {
        "label": declared.label,
        "help_text": declared.help,
        "required": declared.required,
    }
    if declared.kind == "yes_no":
        return forms.BooleanField(**common)
    if declared.kind == "channel":
        picker = reply_channel_picker if declared.replies else channel_picker
        return forms.ChoiceField(choices=picker, **common)
    if declared.kind == "choice":
        return forms.ChoiceField(choices=list(declared.choices), **common)
    field_class = _TEXT_CLASSES.get(declared.kind, TextField)
    if declared.kind in _TEXTAREA_KINDS:
        common["widget"] = forms.Textarea({"rows": 3})
    if declared.kind == "event":
        common["widget"] = forms.TextInput(attrs={"list": "catalogue-events"})
    max_length = declared.max_length or (100 if declared.kind == "duration" else None)
    return field_class(max_length=max_length, strip=True, **common)
