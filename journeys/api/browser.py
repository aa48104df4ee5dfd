"""The widget tells Stepwise what the browser knows of the person (time zone, language),
so quiet hours follow their clock; Stepwise keeps it only where the product set nothing."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field

from journeys.api.auth import WRITE_KEY
from journeys.api.schemas import Failure
from journeys.core.traits import TraitError
from journeys.models import Contact
from journeys.people.identity import identity_verify_request
from journeys.people.ingest import NotFound, PayloadError
from journeys.run.contacts import contact_fill_from_browser

router = Router(auth=WRITE_KEY, tags=["chat"])


class BrowserIn(Schema):
    timezone: str = Field("", max_length=64, description="IANA name, e.g. America/Los_Angeles.")
    language: str = Field("", max_length=35, description="The browser's language, e.g. en-US.")


class BrowserAnswer(Schema):
    success: bool = True
    kept: list[str] = Field(description="What was new and kept (the product's values win).")


@router.post(
    "/contacts/{user_id}/browser",
    response={200: BrowserAnswer, 400: Failure, 401: Failure, 403: Failure, 404: Failure},
    summary="The browser's time zone and language, kept if the contact has none (needs the "
    "user's hash)",
)
def browser_facts(request: HttpRequest, user_id: str, payload: BrowserIn):
    identity_verify_request(request, user_id)
    contact = Contact.objects.filter(user_id=user_id).first()
    if contact is None or contact.source_id not in (None, request.auth.id):  # type: ignore[attr-defined]
        raise NotFound("No contact with this user id.")
    try:
        kept = contact_fill_from_browser(
            contact_id=contact.pk, zone=payload.timezone, language=payload.language
        )
    except TraitError as error:
        field = "timezone" if error.field == "traits.timezone" else "language"
        raise PayloadError(field, error.reason) from None
    return {"kept": ["time zone" if name == "timezone" else "language" for name in kept]}
