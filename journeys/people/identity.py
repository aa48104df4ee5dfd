"""Identity verification: the one check that a call acting for `user_id` may do so.

The product signs each user id on its own server with the source's identity secret:
`user_hash = lowercase hex HMAC-SHA256(secret, user_id)` (both UTF-8), and the page or app
sends it as header `X-Stepwise-User-Hash` or query parameter `user_hash`. Every inbox,
stream and reply endpoint, and every event naming a user from a browser source, calls
`identity_verify`. See docs/security.md."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from django.http import HttpRequest

from journeys.models import Contact
from journeys.people.ingest import Incoming
from journeys.people.sources import CachedSource

USER_HASH_HEADER = "X-Stepwise-User-Hash"
USER_HASH_PARAM = "user_hash"
_MAX_HASH_LENGTH = 128


class IdentityRefused(Exception):
    """A call that does not prove it acts for the user it names: 401 or 403, with a code."""

    def __init__(self, status: int, code: str, message: str, field: str = USER_HASH_PARAM):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.field = field


def _alias_of_known_user() -> IdentityRefused:
    return IdentityRefused(
        403,
        "alias_merges_known_user",
        "A browser source may only merge an anonymous visitor into a user: previousId is "
        "another known user. Merge known users from your server (a server source).",
        field="previousId",
    )


def _missing() -> IdentityRefused:
    return IdentityRefused(
        401,
        "user_hash_missing",
        f"This call names a user, so it must carry that user's hash ({USER_HASH_HEADER} header "
        f"or {USER_HASH_PARAM} parameter): hex HMAC-SHA256 of the user id with the source's "
        "identity secret, computed on your server.",
    )


def _invalid() -> IdentityRefused:
    return IdentityRefused(
        403,
        "user_hash_invalid",
        "The user hash does not match this user id: it is wrong, stale, or another user's.",
    )


def user_hash(secret: str, user_id: str) -> str:
    """What the product's server computes for `user_id` (tests and the demo use it too)."""
    return hmac.new(secret.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def presented_hash(request: HttpRequest) -> str | None:
    """The hash a request carries, header first; None when it carries none."""
    value = request.headers.get(USER_HASH_HEADER) or request.GET.get(USER_HASH_PARAM)
    return value.strip() if value and value.strip() else None


def hash_matches(secrets: Iterable[str], user_id: str, presented: str) -> bool:
    """Constant-time comparison against every active secret (two during a rotation)."""
    candidate = presented.lower().encode("ascii", "replace")[:_MAX_HASH_LENGTH]
    matched = False
    for secret in secrets:
        expected = user_hash(secret, user_id).encode()
        matched |= hmac.compare_digest(expected, candidate)
    return matched


def identity_verify(*, source: CachedSource, user_id: str, presented: str | None) -> None:
    """Raise IdentityRefused unless `presented` is `user_id`'s hash under one of the
    source's active identity secrets. 401 when missing, 403 when wrong."""
    if presented is None:
        raise _missing()
    if not hash_matches(source.identity_secrets, user_id, presented):
        raise _invalid()


def event_identity_verify(
    *, source: CachedSource, incoming: Incoming, presented: str | None
) -> None:
    """A browser source's publishable key only sends events: an event naming a `userId`
    must carry that user's hash, and an alias may not take over another known user."""
    if not source.is_browser or incoming.user_id is None:
        return
    identity_verify(source=source, user_id=incoming.user_id, presented=presented)
    if incoming.type == "alias" and Contact.objects.filter(user_id=incoming.previous_id).exists():
        raise _alias_of_known_user()


def event_hash(request: HttpRequest, context: dict[str, object]) -> str | None:
    """An event's user hash: `context.userHash` in the message, else the request's."""
    carried = context.get("userHash")
    return (
        carried.strip() if isinstance(carried, str) and carried.strip() else presented_hash(request)
    )


def identity_verify_request(request: HttpRequest, user_id: str) -> None:
    """The check for endpoints acting for one user, authenticated with a write key.

    A source that turned verification off (a server source only) is trusted as is."""
    source: CachedSource = request.auth  # type: ignore[attr-defined]
    if not source.requires_user_hash and request.headers.get("Origin") is None:
        return
    identity_verify(source=source, user_id=user_id, presented=presented_hash(request))
