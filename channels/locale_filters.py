"""Liquid filters that write dates and numbers the way the contact's language does,
backed by Babel (CLDR): `{{ event.due | date }}` is "7 décembre 2026" for a contact whose
locale is fr, "December 7, 2026" for en. The locale is the contact's (`contact.locale` in
the render context), else English. `date` with a strftime format ("%d/%m") behaves as
Liquid's own filter; `date: "short"` (or medium, long, full) picks a CLDR length.
channels.rendering registers them. See docs/languages.md.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.numbers import format_decimal
from liquid import Environment
from liquid.builtin.filters.misc import date as liquid_date
from liquid.context import RenderContext
from liquid.filter import with_context
from liquid.undefined import is_undefined

from journeys.core.languages import normal_locale

LENGTHS = ("short", "medium", "long", "full")


def _locale(context: RenderContext) -> Locale:
    contact = context.resolve("contact", default={})
    code = normal_locale(contact.get("locale") if isinstance(contact, dict) else "")
    try:
        return Locale.parse(code or "en", sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en")


def _day(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and value:
        try:
            return dt.datetime.fromisoformat(value).date()
        except ValueError:
            return None
    return None


@with_context
def local_date(value: Any, fmt: Any = "long", *, context: RenderContext) -> str:
    """A date in the contact's language; a strftime format goes to Liquid's own `date`."""
    if is_undefined(value):
        return ""
    if not is_undefined(fmt) and str(fmt) not in LENGTHS:
        return str(liquid_date(value, fmt, environment=context.env))
    day = dt.datetime.now(dt.UTC).date() if value in ("now", "today") else _day(value)
    if day is None:
        return str(value)
    length = "long" if is_undefined(fmt) else str(fmt)
    return str(format_date(day, length, locale=_locale(context)))


@with_context
def local_number(value: Any, places: Any = None, *, context: RenderContext) -> str:
    """A number in the contact's language ("1 234,5" in French); `places` fixes decimals."""
    if is_undefined(value) or value is None or isinstance(value, bool):
        return ""
    try:
        number = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    pattern = None
    if isinstance(places, int) and not isinstance(places, bool) and 0 <= places <= 10:
        pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(number, format=pattern, locale=_locale(context)))


def add_locale_filters(env: Environment) -> None:
    env.add_filter("date", local_date)
    env.add_filter("number", local_number)
