"""A message's language versions as the builder edits them: the languages offered (by
name, never by code), the ones a step has, and a step with one language's texts set.
Pure, over raw documents; what a version means is journeys.core (docs/languages.md)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from journeys.core.languages import language_name

# The languages the "Add a language" list offers; any other code still reads from a file.
_OFFERED = (
    "ar bg ca cs da de el en es et fi fr fr-CA ga he hi hr hu id it ja ko lt lv ms nb nl "
    "pl pt pt-BR ro ru sk sl sr sv th tr uk vi zh-Hans zh-Hant"
).split()


def offered_languages(default: str, present: list[str]) -> list[tuple[str, str]]:
    """(code, name) of the languages one may add, by name: not the default, not present."""
    codes = [code for code in _OFFERED if code != default and code not in present]
    return sorted(((code, language_name(code) or code) for code in codes), key=lambda x: x[1])


def step_languages(raw: Mapping[str, Any]) -> list[str]:
    """The codes a raw step (a message's variants, a question) has a version in, in the
    order first written."""
    found: list[str] = []
    for variant in [*_variants(raw), raw]:
        versions = variant.get("locales")
        for code in versions if isinstance(versions, Mapping) else {}:
            if code not in found:
                found.append(str(code))
    return found


def _variants(raw: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    items = raw.get("variants")
    return [v for v in items if isinstance(v, Mapping)] if isinstance(items, list) else []


def with_language(
    raw: Mapping[str, Any], code: str, texts: Mapping[str, Mapping[str, str]]
) -> dict[str, Any]:
    """The step with `code`'s version of each variant (by name) set to `texts`, keeping
    only what differs from the default; a variant left with nothing loses that version."""
    step = copy.deepcopy(dict(raw))
    for variant in step.get("variants") or []:
        if not isinstance(variant, dict):
            continue
        typed = texts.get(str(variant.get("name")), {})
        own = {k: v for k, v in typed.items() if v.strip() and v != variant.get(k)}
        versions = dict(variant.get("locales") or {})
        if own:
            versions[code] = own
        else:
            versions.pop(code, None)
        if versions:
            variant["locales"] = versions
        else:
            variant.pop("locales", None)
    return step
