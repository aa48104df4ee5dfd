"""The builder's language page of a message step: one tab per language (by name), the
texts of each variant in that language beside the default's, and "Add a language" from
a list of names. Saves go through the draft like every other change (undo included)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from channels.registry import get_channel
from journeys.builder.drafts import DraftTooLarge, StaleDraft, draft_change
from journeys.builder.forms import step_editor as editors
from journeys.builder.graph import replace_step, steps_of
from journeys.builder.http import EDIT, VIEW, page, staff_view
from journeys.builder.languages import offered_languages, step_languages, with_language
from journeys.builder.names import name_of
from journeys.core.languages import DEFAULT_LANGUAGE, is_known_locale, language_name
from journeys.core.locale_checks import TEXT_FIELDS
from journeys.models import Journey
from journeys.run.journeys import JourneyStateError


def _step(journey: Journey, step_id: str) -> dict[str, Any]:
    for step in steps_of(journey.draft_spec):
        if step.get("id") == step_id and isinstance(step.get("variants"), list):
            return step
    raise Http404("That message is no longer in the journey.")


@staff_view(VIEW)
def languages(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    raw = _step(journey, step)
    default = str(journey.draft_spec.get("language") or DEFAULT_LANGUAGE)
    present = step_languages(raw)
    code = request.GET.get("language") or request.GET.get("add") or ""
    if code and (code == default or not is_known_locale(code)):
        code = ""
    shown = [*present, *([code] if code and code not in present else [])]
    context = {
        "title": f"{name_of(raw)}: languages",
        "journey": journey,
        "step_id": step,
        "step_name": name_of(raw),
        "default_name": language_name(default) or default,
        "tabs": [(c, language_name(c) or c) for c in shown],
        "code": code,
        "code_name": language_name(code) if code else "",
        "offered": offered_languages(default, present),
        "variants": _variant_rows(raw, code),
        "message": request.GET.get("saved", ""),
    }
    return page(request, "journeys/builder/languages.html", context)


def _variant_rows(raw: Mapping[str, Any], code: str) -> list[dict[str, Any]]:
    """Each variant's texts: the default's beside this language's own."""
    channel = get_channel(str(raw.get("channel", "")))
    fields = [f for f in (channel.fields if channel else ("body",)) if f in TEXT_FIELDS]
    found = []
    for variant in raw["variants"]:
        own = (variant.get("locales") or {}).get(code, {}) if code else {}
        rows = [
            {
                "field": field,
                "label": channel.field_label(field) if channel else field,
                "default": variant.get(field, ""),
                "value": own.get(field, ""),
            }
            for field in fields
            if variant.get(field)
        ]
        found.append({"name": variant.get("name", ""), "rows": rows})
    return found


@staff_view(EDIT, methods=("POST",))
def languages_save(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    raw = _step(journey, step)
    code = request.POST.get("language", "")
    if not is_known_locale(code):
        raise Http404("No such language.")
    texts = {
        str(v.get("name")): {
            name.split("__", 1)[1]: str(value)
            for name, value in request.POST.items()
            if name.startswith(f"{v.get('name')}__")
        }
        for v in raw["variants"]
    }
    document = replace_step(
        journey.draft_spec, step, with_language(raw, code, texts), outlets=editors.outlets
    )
    words = f"the {language_name(code)} version of “{name_of(raw)}”"
    try:
        revision = int(request.POST.get("revision", "-1"))
        draft_change(journey=journey, revision=revision, document=document, by=request.user,
                     summary=f"Changed {words}", step_key=step, coalesce=True)  # fmt: skip
    except StaleDraft:
        return _back(journey, step, code, "Not saved: someone changed the journey meanwhile.")
    except (JourneyStateError, DraftTooLarge, ValueError) as exc:
        return _back(journey, step, code, f"Not saved: {exc}")
    return _back(journey, step, code, f"Saved {words}.")


def _back(journey: Journey, step_id: str, code: str, said: str) -> HttpResponse:
    where = reverse("builder:languages", args=[journey.key, step_id])
    return HttpResponseRedirect(f"{where}?{urlencode({'language': code, 'saved': said})}")
