"""Which language version of a message a contact gets, and why, in words staff read.

Pure (no Django). A contact's `locale` ("fr-CA") picks the version written for exactly
that locale, else the one for its language ("fr"), else the journey's default version.
Names of languages come from Babel (CLDR), in English: "French (Canada)".
See docs/languages.md.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from babel import Locale, UnknownLocaleError

DEFAULT_LANGUAGE = "en"
# A language, then an optional script and region: "fr", "fr-CA", "zh-Hant-TW", "es-419".
_CODE = re.compile(r"^[a-z]{2,3}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")


@dataclass(frozen=True)
class LanguageChoice:
    """The version chosen: `code` is a key of the variant's `locales`, "" for the default
    version; `reason` says why ("French (fr) for locale fr-CA")."""

    code: str
    reason: str


def normal_locale(text: str | None) -> str:
    """A locale written the one way: "fr_ca" → "fr-CA", "FR" → "fr"; "" when unreadable."""
    parts = (text or "").strip().replace("_", "-").split("-")
    if not parts or not parts[0].isalpha():
        return ""
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif part:
            out.append(part.upper())
    code = "-".join(out)
    return code if _CODE.match(code) else ""


@lru_cache(maxsize=1024)
def language_name(code: str) -> str:
    """The English name of a locale code ("French (Canada)"); "" when Babel knows none."""
    normal = normal_locale(code)
    if not normal:
        return ""
    try:
        name = Locale.parse(normal, sep="-").get_display_name(DEFAULT_LANGUAGE)
    except (UnknownLocaleError, ValueError):
        return ""
    return str(name) if name else ""


def is_known_locale(code: str) -> bool:
    """Written the one way ("fr-CA", not "fr_ca") and a language Babel names."""
    return normal_locale(code) == code and bool(language_name(code))


def _named(code: str) -> str:
    return f"{language_name(code) or code} ({code})"


def choose_language(
    locale: str | None, versions: Collection[str], default: str = DEFAULT_LANGUAGE
) -> LanguageChoice:
    """The version for a contact's `locale` among `versions` (the codes written besides
    the default one): exact locale, then its language, then the default version."""
    wanted = normal_locale(locale)
    if not wanted:
        why = "no locale" if not (locale or "").strip() else f"locale {locale!r} is not readable"
        return LanguageChoice("", f"the default version ({_named(default)}): {why}")
    language = wanted.split("-")[0]
    for code in (wanted, language):
        if code in versions:
            return LanguageChoice(code, f"{_named(code)} for locale {wanted}")
    if language == default.split("-")[0]:
        return LanguageChoice("", f"the default version ({_named(default)}) for locale {wanted}")
    missing = language_name(language) or language
    return LanguageChoice("", f"the default version ({_named(default)}): no {missing} version")
