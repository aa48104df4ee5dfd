"""The language an end user's page speaks: their contact's locale, among the languages
Stepwise has (settings.LANGUAGES), walking fr-CA → fr → the site's default."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from journeys.models import Contact


def page_language(locale: str) -> str:
    """The Django language for a locale ("fr_CA", "fr-ca", "fr" → "fr"; unknown → "en")."""
    try:
        return translation.get_supported_language_variant(locale.replace("_", "-").lower())
    except LookupError:
        return translation.get_supported_language_variant(settings.LANGUAGE_CODE)


def contact_language(contact_id: int) -> str:
    """The language a contact's own pages (unsubscribe, preferences) are shown in."""
    locale = Contact.objects.filter(pk=contact_id).values_list("locale", flat=True).first()
    return page_language(locale or "")
