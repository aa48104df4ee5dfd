"""Who may read or write one contact's chat from a browser: the write key, the page's
origin and the user's hash, checked in that order (docs/security.md).

Used by the views django-ninja does not serve (the stream). EventSource cannot send
headers, so the key may also come as `?key=` and the hash as `?user_hash=`."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass

from django.http import HttpRequest, HttpResponse

from journeys.models import Contact
from journeys.people.identity import IdentityRefused, identity_verify_request
from journeys.people.sources import CachedSource, source_for_key


class BrowserRefusal(Exception):
    """A refused call, answered in the event API's refusal shape."""

    def __init__(self, status: int, code: str, message: str, field: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.field = status, code, message, field

    def response(self) -> HttpResponse:
        body: dict[str, object] = {"success": False, "error": self.message}
        if self.field:
            body["field"] = self.field
        body |= {"code": self.code, "message": self.message}
        return HttpResponse(json.dumps(body), status=self.status, content_type="application/json")


@dataclass(frozen=True)
class ContactCall:
    source: CachedSource
    contact_id: int | None


def _presented_key(request: HttpRequest) -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value.strip(), validate=True).decode().partition(":")[0]
        except (binascii.Error, UnicodeDecodeError):
            return ""
    if scheme.lower() == "bearer":
        return value.strip()
    return request.GET.get("key", "").strip()


def contact_for(user_id: str, source_id: int) -> int | None:
    """The contact's id, if it exists and belongs to the source (or to no source yet)."""
    row = Contact.objects.filter(user_id=user_id).values_list("pk", "source_id").first()
    if row is None or row[1] not in (None, source_id):
        return None
    return row[0]


def authorize_contact_call(request: HttpRequest, user_id: str) -> ContactCall:
    """The source and contact a browser call acts for; BrowserRefusal otherwise."""
    source = source_for_key(_presented_key(request))
    if source is None:
        raise BrowserRefusal(
            401, "unauthorized", "A valid write key is required (?key=, Basic or Bearer)."
        )
    origin = request.headers.get("Origin")
    if origin is not None and origin not in source.allowed_origins:
        if "*" not in source.allowed_origins:
            raise BrowserRefusal(
                403,
                "origin_not_allowed",
                f"Origin {origin} is not allowed for this write key; add it to the source's "
                "allowed origins.",
            )
    request.auth = source  # type: ignore[attr-defined]
    try:
        identity_verify_request(request, user_id)
    except IdentityRefused as refusal:
        raise BrowserRefusal(refusal.status, refusal.code, refusal.message, refusal.field) from None
    return ContactCall(source=source, contact_id=contact_for(user_id, source.id))
