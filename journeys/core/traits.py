"""Pure validation of Segment traits: well-known traits get normalised fields of their own."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import phonenumbers

from journeys.core.emails import is_email

# Segment spells traits in camelCase; snake_case is accepted too.
_ALIASES = {
    "email": ("email",),
    "phone": ("phone",),
    "first_name": ("firstName", "first_name"),
    "last_name": ("lastName", "last_name"),
    "timezone": ("timezone", "timeZone", "time_zone"),
    "locale": ("locale", "language"),
}
# The traits that get normalised fields of their own on the contact.
KNOWN_TRAITS = tuple(_ALIASES)
_LOCALE = re.compile(r"^[A-Za-z]{2,3}([-_][A-Za-z0-9]{2,8})*$")


class TraitError(ValueError):
    """A well-known trait that cannot be accepted; `field` names it (e.g. traits.email)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class KnownTraits:
    """The validated well-known traits found in one traits object (None: not given)."""

    email: str | None = None
    phone: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    timezone: str | None = None
    locale: str | None = None

    def as_fields(self) -> dict[str, str]:
        values = {name: getattr(self, name) for name in _ALIASES}
        return {name: value for name, value in values.items() if value is not None}


def _first(traits: dict[str, Any], names: tuple[str, ...]) -> tuple[str, Any] | None:
    for name in names:
        if name in traits:
            return name, traits[name]
    return None


def normalize_phone(raw: str, default_region: str | None = None) -> str:
    """E.164 form of a phone number, or ValueError when it is not a possible number."""
    try:
        number = phonenumbers.parse(raw, default_region or None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"is not a phone number ({exc._msg})") from None
    if not phonenumbers.is_possible_number(number):
        raise ValueError("is not a possible phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


@lru_cache(maxsize=1024)
def is_timezone(name: str) -> bool:
    if not name or len(name) > 64:
        return False
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


def extract_known_traits(traits: dict[str, Any], *, phone_region: str = "") -> KnownTraits:
    """Validate and normalise the well-known traits; raise TraitError naming the bad one."""
    found: dict[str, str | None] = {}
    for field, names in _ALIASES.items():
        hit = _first(traits, names)
        if hit is None:
            continue
        key, value = hit
        if value is None or value == "":
            found[field] = ""
            continue
        if not isinstance(value, str):
            raise TraitError(f"traits.{key}", "must be a string")
        value = value.strip()
        found[field] = _validate(field, key, value, phone_region)
    return KnownTraits(**found)


def _validate(field: str, key: str, value: str, phone_region: str) -> str:
    if field == "email":
        if not is_email(value):
            raise TraitError(f"traits.{key}", "is not a valid email address")
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
    if field == "phone":
        try:
            return normalize_phone(value, phone_region)
        except ValueError as exc:
            raise TraitError(f"traits.{key}", str(exc)) from None
    if field == "timezone":
        if not is_timezone(value):
            raise TraitError(f"traits.{key}", "is not an IANA time zone name (e.g. Europe/Paris)")
        return value
    if field == "locale":
        if not _LOCALE.match(value):
            raise TraitError(f"traits.{key}", "is not a locale (e.g. en-US)")
        return value.replace("_", "-")
    if len(value) > 150:
        raise TraitError(f"traits.{key}", "is longer than 150 characters")
    return value
