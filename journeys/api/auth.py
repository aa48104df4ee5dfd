"""API keys. Write keys (per source) send events: HTTP Basic with the key as user name (what
Segment's SDKs send), `Authorization: Bearer <key>`, or `writeKey` in the body; browser calls
must come from the source's allowed origins. Secret server keys read, export and erase
contacts: `Authorization: Bearer sk_…` only from servers. See docs/security.md."""

from __future__ import annotations

import json

from django.http import HttpRequest
from ninja.errors import AuthorizationError
from ninja.security import HttpBasicAuth, HttpBearer
from ninja.security.base import AuthBase

from journeys.people.identity import IdentityRefused
from journeys.people.secret_keys import CachedSecretKey, secret_key_for
from journeys.people.sources import CachedSource, source_for_key


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
        token = token.strip()
        if token.startswith("sk_"):
            return None
        return _checked(request, source_for_key(token))


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


def _secret(token: str) -> CachedSecretKey | None:
    found = secret_key_for(token)
    if found is None and source_for_key(token) is not None:
        raise IdentityRefused(
            403,
            "secret_key_required",
            "A write key cannot read, export or erase contacts: send a secret server key "
            "(python manage.py create_secret_key NAME) as Authorization: Bearer <key>.",
            field="Authorization",
        )
    return found


class SecretKeyBearer(HttpBearer):
    """`Authorization: Bearer sk_…`: a secret server key."""

    def authenticate(self, request: HttpRequest, token: str):
        return _secret(token.strip())


class SecretKeyBasic(HttpBasicAuth):
    """`curl -u sk_…:` works too (the key as user name)."""

    def authenticate(self, request: HttpRequest, username: str, password: str):
        return _secret(username)


# Use as `auth=WRITE_KEY` on a ninja router or operation; request.auth is the CachedSource.
WRITE_KEY = [WriteKeyBasic(), WriteKeyBearer(), WriteKeyInBody()]
# Reading, exporting, erasing contacts; request.auth is the CachedSecretKey.
SECRET_KEY = [SecretKeyBearer(), SecretKeyBasic()]
