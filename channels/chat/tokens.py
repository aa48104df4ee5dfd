"""Stream tokens: how the widget opens its stream without the write key and the user hash
in the URL (where proxies and servers log them).

The widget asks for a token with headers (`POST /v1/contacts/{id}/chat/stream-token`,
write key and user hash, like every other call), then opens
`/v1/contacts/{id}/stream?token=…`. A token is signed with SECRET_KEY, names the source
and the user, lives `CHAT_STREAM_TOKEN_SECONDS` (60) and opens one stream: the first use
spends it (kept in the cache: shared by every process with REDIS_URL)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.cache import cache

_SALT = "stepwise.chat.stream-token"


@dataclass(frozen=True)
class StreamToken:
    source_id: int
    user_id: str
    nonce: str


def stream_token_make(*, source_id: int, user_id: str) -> str:
    """A new token for one stream of `user_id`'s chat (the caller proved who it is)."""
    payload = {"s": source_id, "u": user_id, "n": secrets.token_urlsafe(12)}
    return signing.TimestampSigner(salt=_SALT).sign_object(payload)


def stream_token_read(token: str) -> StreamToken | None:
    """The token's source and user when it is genuine and fresh, else None. Reads only."""
    if not token or len(token) > 1000:
        return None
    max_age = int(settings.CHAT_STREAM_TOKEN_SECONDS)
    try:
        payload = signing.TimestampSigner(salt=_SALT).unsign_object(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired included
        return None
    if not isinstance(payload, dict):
        return None
    source_id, user_id, nonce = payload.get("s"), payload.get("u"), payload.get("n")
    if not isinstance(source_id, int) or not isinstance(user_id, str) or not isinstance(nonce, str):
        return None
    return StreamToken(source_id=source_id, user_id=user_id, nonce=nonce)


def stream_token_spend(token: StreamToken) -> bool:
    """True the first time a token is used, False after (single use)."""
    ttl = int(settings.CHAT_STREAM_TOKEN_SECONDS) + 5
    return bool(cache.add(f"stepwise:stream-token:{token.nonce}", 1, timeout=ttl))
