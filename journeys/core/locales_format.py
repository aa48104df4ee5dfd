"""Reading the language versions of a journey document: the journey's `language` (the
default version's) and a variant's or question's `"locales": {"fr": {...}}`, which hold
only the fields that differ from the default version. Pure; problems in plain words.
See docs/languages.md and docs/journey-format.md ("Languages").
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from journeys.core.languages import (
    DEFAULT_LANGUAGE,
    is_known_locale,
    language_name,
    normal_locale,
)
from journeys.core.problems import Reader

MAX_LANGUAGES = 40  # versions of one message besides the default one

Fields = tuple[tuple[str, str], ...]
Locales = tuple[tuple[str, Fields], ...]


def parse_default_language(reader: Reader, root: Mapping[str, Any]) -> str:
    """The journey's `language`: what its default versions are written in ("en")."""
    code = root.get("language", DEFAULT_LANGUAGE)
    if not isinstance(code, str) or not is_known_locale(code):
        reader.add("language", _code_problem(code, "the journey's own texts are written in"))
        return DEFAULT_LANGUAGE
    return code


def _code_problem(code: Any, what: str) -> str:
    written = normal_locale(code) if isinstance(code, str) else ""
    if written and written != code and language_name(written):
        return f"Write the language as “{written}”."
    return (
        f"“{code}” is not a language code: give the one {what}, "
        "like “fr” (French) or “fr-CA” (French, Canada)."
    )


def parse_versions(
    reader: Reader, raw: Mapping[str, Any], path: str, fields: Sequence[str], default: str
) -> dict[str, Mapping[str, Any]]:
    """The `locales` object of a variant or question: each known code (not the default
    language's) with an object of `fields` only, at least one of them."""
    if "locales" not in raw:
        return {}
    where = f"{path}.locales"
    data = reader.obj(raw["locales"], where)
    if data is None:
        return {}
    if len(data) > MAX_LANGUAGES:
        reader.add(where, f"Give at most {MAX_LANGUAGES} languages besides the default one.")
        return {}
    versions: dict[str, Mapping[str, Any]] = {}
    for code, value in data.items():
        at = f"{where}.{code}"
        if not is_known_locale(str(code)):
            reader.add(at, _code_problem(code, "this version is written in"))
            continue
        if code == default:
            reader.add(at, f"{language_name(code)} is the default version: write it above.")
            continue
        version = reader.obj(value, at)
        if version is None:
            continue
        reader.only(version, at, fields)
        if not version:
            reader.add(at, "Give at least one text that differs from the default version.")
            continue
        versions[str(code)] = version
    return versions


def parse_variant_locales(
    reader: Reader,
    data: Mapping[str, Any],
    path: str,
    allowed: Sequence[str],
    default: str,
    check: Callable[[str, dict[str, str]], None] | None = None,
) -> Locales:
    """A message variant's `locales`: texts for `allowed` fields. `check(path, texts)`
    sees each version whole (the default's fields with the version's on top)."""
    before = len(reader.problems)
    versions = parse_versions(reader, data, path, allowed, default)
    found: list[tuple[str, Fields]] = []
    for code, version in versions.items():
        own = len(reader.problems)
        texts: dict[str, str] = {}
        for name, value in version.items():
            if name not in allowed:
                continue
            if not isinstance(value, str) or not value.strip():
                reader.add(f"{path}.locales.{code}.{name}", "Write some text here, between quotes.")
                continue
            texts[name] = value
        if check is not None and len(reader.problems) == own:
            merged = {key: data[key] for key in allowed if isinstance(data.get(key), str)}
            check(f"{path}.locales.{code}", merged | texts)
        found.append((code, tuple(texts.items())))
    return tuple(found) if len(reader.problems) == before else ()


def dump_locales(locales: Locales) -> dict[str, dict[str, str]]:
    return {code: dict(fields) for code, fields in locales}
