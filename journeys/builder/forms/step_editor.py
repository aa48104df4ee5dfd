"""The side-panel editor of any step type, built from the form its module declares.

A step type lists its fields as data (journeys.core.steps.form); this turns them into a
form (StepForm) and, for condition lists and variants, formsets beside it, and a valid
form back into the raw step through the type's own `from_form`. The ways out of a step
(outlets) come from the type too, so the canvas draws lanes without knowing any type.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from channels.registry import get_channel
from journeys.builder.forms.conditions import condition_set, conditions_from
from journeys.builder.forms.step_fields import SET_KINDS, NameField, channel_default, form_field
from journeys.builder.forms.variants import variant_set, variants_from
from journeys.builder.graph import list_at
from journeys.builder.names import name_of
from journeys.core.steps import STEP_TYPES, StepType
from journeys.core.steps.form import BuilderSide, FormField

VARIANTS = "variants"


class _Unknown(BuilderSide):
    """A step whose type is not registered (an old draft): its name and "next" only."""

    key, label, fields, form, blank_step, has_next = "", "Unknown step", (), (), {}, True

    def from_form(self, raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        return {"id": raw.get("id"), "type": raw.get("type")}


class StepForm(forms.Form):
    """The step's name and every declared field that is not a list of forms."""

    def __init__(self, declared: Sequence[FormField], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["name"] = NameField()
        for field in declared:
            if field.kind not in SET_KINDS:
                self.fields[field.name] = form_field(field)


class StepEditor:
    """The editor of one step type, read from its declaration in the registry."""

    def __init__(self, step_type: BuilderSide) -> None:
        self.step_type = step_type
        self.declared = step_type.form_fields()

    def blank(self) -> dict[str, Any]:
        """A new step: the type's blank one, on the default channel when it sends on one
        (and named after that channel when the type gives no name)."""
        step = self.step_type.blank()
        for field in self.declared:
            if field.kind == "channel" and not step.get(field.document_key):
                step[field.document_key] = channel_default(field)
                channel = get_channel(step[field.document_key])
                if "id" not in self.step_type.blank_step and channel is not None:
                    step["id"] = channel.label
        return step

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return self.step_type.outlets(raw)

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        return self.step_type.outlet_label(raw, key)

    def form(self, data: Any = None, *, raw: Mapping[str, Any] | None = None) -> StepForm:
        """The form bound to posted `data`, or showing the raw step's values."""
        if data is not None:
            return StepForm(self.declared, data)
        return StepForm(self.declared, initial=self.initial(raw or {}))

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values = self.step_type.form_values(raw)
        return {"name": name_of(raw)} | values

    def formsets(self, raw: Mapping[str, Any], post: Any = None) -> dict[str, Any]:
        """The condition lists by field name, and the variants (one list a step) as
        "variants", where the editor's template and its "Add a variant" button find them."""
        sets: dict[str, Any] = {}
        for field in self.declared:
            if field.kind == "conditions":
                sets[field.name] = condition_set(
                    raw, field.document_key, post, field.label, field.subject
                )
            elif field.kind == "variants":
                source = post if post is not None else raw
                channel_key = str(source.get(field.depends_on, "") or "")
                sets[VARIANTS] = variant_set(raw, field.document_key, post, channel_key)
        return sets

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The raw step from a valid form and its formsets (the canvas keeps the paths)."""
        values = {name: value for name, value in data.items() if name != "name"}
        for field in self.declared:
            if field.kind == "conditions":
                subject = field.subject or None
                values[field.name] = conditions_from(sets[field.name], kind=subject)
            elif field.kind == "variants":
                channel = str(values.get(field.depends_on, ""))
                before = list_at(raw, field.document_key)
                values[field.name] = variants_from(sets[VARIANTS], channel, before)
        return self.step_type.from_form(raw, values)


def editor_for(type_key: str) -> StepEditor:
    """The editor of the step type with this key (an unknown type: its name only)."""
    step_type: StepType[Any] | None = STEP_TYPES.get(type_key)
    return StepEditor(step_type if step_type is not None else _Unknown())


def outlets(raw: Mapping[str, Any]) -> Sequence[str]:
    """The ways out of a raw step, as its type declares them (graph.Outlets)."""
    return editor_for(str(raw.get("type", ""))).outlets(raw)
