"""Write-key authentication: HTTP Basic with the key as user name (what Segment's SDKs send),
or `Authorization: Bearer <key>`. Browser calls must come from the source's allowed origins."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBasicAuth, HttpBearer
from ninja.security.base import AuthBase

from journeys.services.sources import CachedSource, source_for_key


def _checked(request: HttpRequest, source: CachedSource | None) -> CachedSource | None:
    origin = request.headers.get("Origin")
    if source is None or origin is None:
        return source
    if origin in source.allowed_origins or "*" in source.allowed_origins:
        return source
    raise AuthorizationError(
        message=f"Origin {origin} is not allowed for this write key; add it to the source's "
        "allowed origins."
    )


class WriteKeyBasic(HttpBasicAuth):
    """Basic auth: the write key is the user name, the password is ignored."""

    def authenticate(self, request: HttpRequest, username: str, password: str):
        return _checked(request, source_for_key(username))


class WriteKeyBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        return _checked(request, source_for_key(token.strip()))


class WriteKeyInBody(AuthBase):
    """Segment also accepts `writeKey` inside a JSON body (its SDKs send it there too)."""

    openapi_type = "apiKey"
    openapi_in = "query"
    openapi_name = "writeKey"
    openapi_description = "`writeKey` in the JSON body, when no Authorization header is sent."

    def __call__(self, request: HttpRequest):
        if request.method != "POST" or "Authorization" in request.headers:
            return None
        try:
            data = json.loads(request.body)
        except ValueError:
            return None
        key = data.get("writeKey") if isinstance(data, dict) else None
        return _checked(request, source_for_key(key)) if isinstance(key, str) else None


# Use as `auth=WRITE_KEY` on a ninja router or operation; request.auth is the CachedSource.
WRITE_KEY = [WriteKeyBasic(), WriteKeyBearer(), WriteKeyInBody()]
