"""Write-key authentication: HTTP Basic with the key as user name (what Segment's SDKs send),
or `Authorization: Bearer <key>`."""

from __future__ import annotations

from django.http import HttpRequest
from ninja.security import HttpBasicAuth, HttpBearer

from journeys.services.sources import CachedSource, source_for_key


class WriteKeyBasic(HttpBasicAuth):
    """Basic auth: the write key is the user name, the password is ignored."""

    def authenticate(self, request: HttpRequest, username: str, password: str) -> CachedSource | None:
        return source_for_key(username)


class WriteKeyBearer(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> CachedSource | None:
        return source_for_key(token.strip())


# Use as `auth=WRITE_KEY` on a ninja router or operation; request.auth is the CachedSource.
WRITE_KEY = [WriteKeyBasic(), WriteKeyBearer()]
