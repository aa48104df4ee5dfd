"""Forms of the journey list: a new journey (blank or from a template) and an import."""

from __future__ import annotations

import json
from typing import Any

from django import forms

from journeys.builder.library import TEMPLATES

MAX_IMPORT_BYTES = 1_000_000


class NewJourneyForm(forms.Form):
    name = forms.CharField(
        max_length=200,
        label="Name",
        help_text="What your team calls it, e.g. “Welcome” or “Trial ending”.",
    )
    start = forms.ChoiceField(
        label="Start from",
        widget=forms.RadioSelect,
        initial="blank",
        choices=[("blank", "A blank journey")]
        + [(template.key, template.title) for template in TEMPLATES],
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        required=False, label="A journey file", help_text="A .json file exported from Stepwise."
    )
    text = forms.CharField(
        required=False,
        label="Or paste the journey",
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
    )
    replace = forms.BooleanField(
        required=False,
        label="Replace its draft",
        help_text="If a journey with the same short name exists, overwrite its draft.",
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        upload = cleaned.get("file")
        text = cleaned.get("text") or ""
        if upload is not None:
            if upload.size > MAX_IMPORT_BYTES:
                raise forms.ValidationError("The file is over 1 MB; a journey is far smaller.")
            try:
                text = upload.read().decode("utf-8")
            except UnicodeDecodeError:
                raise forms.ValidationError("The file is not text (UTF-8).") from None
            cleaned["text"] = text
        if not text.strip():
            raise forms.ValidationError("Choose a file or paste the journey.")
        if len(text.encode()) > MAX_IMPORT_BYTES:
            raise forms.ValidationError("The text is over 1 MB; a journey is far smaller.")
        try:
            cleaned["document"] = json.loads(text)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"This is not a journey file: line {exc.lineno}, column {exc.colno}: "
                f"{exc.msg.lower()}."
            ) from None
        if not isinstance(cleaned["document"], dict):
            raise forms.ValidationError(
                "This is not a journey file: a journey starts with { and ends with }."
            )
        return cleaned
