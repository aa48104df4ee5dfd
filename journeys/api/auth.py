"""Write-key authentication: HTTP Basic with the key as user name (what Segment's SDKs send),
or `Authorization: Bearer <key>`. Browser calls must come from the source's allowed origins."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBasicAuth, HttpBearer

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


# Use as `auth=WRITE_KEY` on a ninja router or operation; request.auth is the CachedSource.
WRITE_KEY = [WriteKeyBasic(), WriteKeyBearer()]
