"""Warnings about a message's language versions, for the builder's checks: a version that
leaves a text to the default one (its readers get that text in the default language), or
that uses a variable the default does not (it may be missing for its readers only). Pure."""

from __future__ import annotations

import re
from collections.abc import Sequence

from journeys.core.languages import language_name
from journeys.core.spec import Variant

# The texts a reader reads; a link or a picture may well stay the same in every language.
TEXT_FIELDS = {"subject": "subject", "preheader": "preheader", "body": "text", "cta": "button"}
_VARIABLE = re.compile(r"\b(?:contact|event|events|journey)(?:\.[A-Za-z_][A-Za-z0-9_]*)+")


def variables(text: str) -> set[str]:
    """The values a template reads (`contact.first_name`, `event.properties.plan`)."""
    return set(_VARIABLE.findall(text))


def version_warnings(variants: Sequence[Variant], default: str) -> list[str]:
    """One sentence per problem, naming the variant when there are several."""
    warnings = []
    for variant in variants:
        where = f" of variant {variant.name}" if len(variants) > 1 else ""
        texts = {name: value for name, value in variant.content().items() if name in TEXT_FIELDS}
        known = set().union(*(variables(value) for value in variant.content().values()))
        for code, fields in variant.locales:
            own = dict(fields)
            name = language_name(code) or code
            missing = [TEXT_FIELDS[field] for field in texts if field not in own]
            if missing:
                words = " and ".join(missing)
                warnings.append(
                    f"The {name} version{where} has no {words} of its own: its readers get "
                    f"the {language_name(default) or default} one."
                )
            extra = sorted(set().union(*(variables(value) for value in own.values())) - known)
            if extra:
                warnings.append(
                    f"The {name} version{where} uses {', '.join(extra)}, which the default "
                    "version does not: check that its readers have it."
                )
    return warnings
