"""A message's variants in the step editor: one form per variant, worded and limited as
the step's channel says (journeys/builder/channels.py), and built back for the document
with only the fields that channel keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from channels.base import FIELD_LABELS
from channels.registry import get_channel
from journeys.builder.channels import label_fields
from journeys.builder.graph import list_at

PREFIX = "variant"


class VariantForm(forms.Form):
    name = forms.CharField(label="Variant name", max_length=40)
    weight = forms.IntegerField(
        label="Weight", min_value=0, max_value=1000, help_text="Its share of the A/B test."
    )
    subject = forms.CharField(label=FIELD_LABELS["subject"], required=False, max_length=500)
    preheader = forms.CharField(label=FIELD_LABELS["preheader"], required=False, max_length=500)
    body = forms.CharField(
        label=FIELD_LABELS["body"], required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    url = forms.CharField(label=FIELD_LABELS["url"], required=False, max_length=2000)
    cta = forms.CharField(label=FIELD_LABELS["cta"], required=False, max_length=40)
    image = forms.CharField(label=FIELD_LABELS["image"], required=False, max_length=2000)


VariantFormSet = forms.formset_factory(VariantForm, extra=0, can_delete=True, max_num=10)


def variant_set(raw: Mapping[str, Any], key: str, post: Any, channel_key: str) -> Any:
    """The formset for the variants at `key` of a raw step, sent on `channel_key`."""
    if post is not None:
        variants_set = VariantFormSet(post, prefix=PREFIX)
    else:
        initial = [
            {"name": v.get("name", chr(65 + i)), "weight": v.get("weight", 1)}
            | {k: v.get(k, "") for k in FIELD_LABELS}
            for i, v in enumerate(list_at(raw, key))
            if isinstance(v, Mapping)
        ]
        variants_set = VariantFormSet(initial=initial, prefix=PREFIX)
    label_fields(variants_set, channel_key)
    return variants_set


def variants_from(formset: Any, channel: str, before: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The raw variants of a valid formset, with only the fields `channel` keeps; a variant
    keeps the language versions (`locales`) it had under its name in `before`."""
    versions = {
        str(v.get("name")): v["locales"]
        for v in before
        if isinstance(v, Mapping) and isinstance(v.get("locales"), Mapping)
    }
    found = get_channel(channel)
    allowed = found.fields if found is not None else ("body",)
    needs = found.needs if found is not None else {}
    variants = []
    for form in formset.forms:
        if form.cleaned_data.get("DELETE") or not form.cleaned_data:
            continue
        item: dict[str, Any] = {
            "name": form.cleaned_data["name"],
            "weight": form.cleaned_data["weight"],
        }
        for name in allowed:
            value = form.cleaned_data.get(name) or ""
            if value or name in ("subject", "body") and name in allowed:
                if name == "cta" and not value:
                    continue
                item[name] = value
        for name, partner in needs.items():
            if not item.get(partner):
                item.pop(partner, None)
                item.pop(name, None)
        if item["name"] in versions:
            item["locales"] = versions[item["name"]]
        variants.append(item)
    return variants
