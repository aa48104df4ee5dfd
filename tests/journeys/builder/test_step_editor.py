"""The generic step editor builds each type's form from its declaration; a type that
declares none still gets a working form: its document fields as text."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from journeys.builder.forms.step_editor import editor_for
from journeys.core.spec import StepSpec
from journeys.core.steps import StepType, registered


@dataclass(frozen=True, kw_only=True)
class PaintStep(StepSpec):
    type = "paint"
    colour: str = ""


class Paint(StepType[PaintStep]):
    key, spec, order = "paint", PaintStep, 500
    label, description = "Paint it", "A step with no form of its own."
    fields = ("colour", "on_timeout")

    def parse(self, reader: Any, raw: Any, path: str, ctx: Any) -> dict[str, Any]:
        return {"colour": raw.get("colour", "")}


def test_a_type_without_a_declared_form_is_edited_as_text():
    with registered(Paint()):
        editor = editor_for("paint")
        shown = editor.form(raw={"id": "Paint_it", "type": "paint", "colour": "red"})
        posted = editor.form({"name": "Paint it", "colour": "blue"})
        valid = posted.is_valid()
        built = editor.build({"id": "Paint_it", "type": "paint"}, posted.cleaned_data, {})

    assert list(shown.fields) == ["name", "colour"]  # paths are the canvas's, not the form's
    assert shown["colour"].value() == "red"
    assert shown["name"].value() == "Paint it"
    assert valid
    assert built == {"id": "Paint_it", "type": "paint", "colour": "blue"}
    assert editor.blank() == {"id": "Paint", "type": "paint"}
    assert editor.outlets(built) == ["next"]


def test_an_unknown_type_keeps_its_type_and_offers_its_name_only():
    editor = editor_for("teleport")
    posted = editor.form({"name": "Beam"})

    assert posted.is_valid()
    assert list(posted.fields) == ["name"]
    assert editor.build({"id": "Beam", "type": "teleport"}, posted.cleaned_data, {}) == {
        "id": "Beam",
        "type": "teleport",
    }


def test_each_built_in_form_shows_its_step_in_words():
    delay = editor_for("delay").form(raw={"id": "W", "type": "delay", "duration": "P2D"})
    until = {"id": "W", "type": "delay", "until": {"time": "09:00", "weekdays": ["mon"]}}
    split = {"id": "S", "type": "split", "paths": [{"percent": 90}, {"percent": 10}]}
    update = {"id": "U", "type": "update_contact", "set": {"onboarded": True, "plan": "pro"}}

    assert delay["wait"].value() == "2 days"
    assert editor_for("delay").form(raw=until)["wait"].value() == "Monday 09:00"
    assert editor_for("split").form(raw=split)["percents"].value() == "90, 10"
    assert editor_for("update_contact").form(raw=update)["traits"].value() == (
        "onboarded = yes\nplan = pro"
    )
