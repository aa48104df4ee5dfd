"""The checks' word on languages, from real data: how many of the people who did the
trigger lately speak a language a message has no version in ("12 of the 40 people who
did “Signed Up” lately speak German: they will get English"). Only for journeys that
have started translating: a journey in one language says nothing."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from journeys.builder.checks import Check
from journeys.builder.graph import steps_of
from journeys.builder.languages import step_languages
from journeys.builder.names import name_of
from journeys.core.languages import DEFAULT_LANGUAGE, choose_language, language_name

MIN_SHARE = 0.05  # a language spoken by fewer of the recent people is not worth a warning


def language_audience_checks(
    document: Mapping[str, Any], *, people: Sequence[Mapping[str, Any]], event: str
) -> list[Check]:
    """`people`: the template `contact` values of those who did the trigger lately."""
    steps = [(step, step_languages(step)) for step in steps_of(document)]
    if not people or not any(codes for _step, codes in steps):
        return []
    default = str(document.get("language") or DEFAULT_LANGUAGE)
    default_name = language_name(default) or default
    checks = []
    for step, codes in steps:
        if "variants" not in step and not codes:
            continue  # not a message: nothing is said in a language
        missed = Counter(
            str(person.get("locale")).replace("_", "-").split("-")[0].lower()
            for person in people
            if person.get("locale") and _default_for(person, codes, default)
        )
        missed.pop(default.split("-")[0], None)
        for language, count in missed.most_common():
            if count / len(people) < MIN_SHARE or not language_name(language):
                continue
            checks.append(
                Check(
                    "warning",
                    str(step.get("id")),
                    f"“{name_of(step)}”",
                    f"{count} of the {len(people)} people who did “{event}” lately speak "
                    f"{language_name(language)}: they will get {default_name}.",
                )
            )
    return checks


def _default_for(person: Mapping[str, Any], codes: list[str], default: str) -> bool:
    return choose_language(str(person.get("locale") or ""), codes, default).code == ""
