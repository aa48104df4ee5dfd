"""The stream process's door: how many streams it holds, in all and per contact.

An ASGI middleware in front of Django (onboarding/asgi.py), so a refusal costs no database
read, no thread and no Django middleware: 5,000 attempts from one contact are answered at
once and another contact's poll does not wait behind them.

- More than `CHAT_STREAMS_PER_PROCESS` (2,000) open streams and long polls in this
  process: 503 with `Retry-After`, before memory grows.
- More than `CHAT_STREAMS_PER_CONTACT` (5) for one contact: 429 with `Retry-After`. The
  contact is the stream token's source and user (a token that is not genuine is a 401
  here), or, for a long poll sent with headers, the write key and user it names.

Counts are per process (each stream process keeps its own); docs/widget.md."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any
from urllib.parse import parse_qs, unquote

from django.conf import settings

from channels.chat.tokens import stream_token_read

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[Any]]  # Django's ASGIHandler, or any ASGI app

STREAM_PATH = re.compile(r"^/v1/contacts/(?P<user>[^/]+)/stream/?$")
RETRY_SECONDS = 10


class Refusal(Exception):
    def __init__(self, status: int, code: str, message: str, retry_after: int | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.retry_after = status, code, message, retry_after


def _who(scope: Scope, user_id: str) -> str | None:
    """Whose stream this is, from what the request carries (None: Django will refuse it)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    token = (query.get("token") or [""])[0]
    if token:
        read = stream_token_read(token)
        if read is None or read.user_id != user_id:
            raise Refusal(
                401,
                "stream_token_invalid",
                "The stream token is wrong, expired or another user's: get a new one.",
            )
        return f"{read.source_id}:{user_id}"
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            key = hashlib.sha256(value).hexdigest()[:24]
            return f"key {key}:{user_id}"
    return None


class StreamGuard:
    """Counts this process's open streams; refuses past the limits (see the module)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.open = 0
        self.per_contact: Counter[str] = Counter()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = STREAM_PATH.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None:
            return await self.app(scope, receive, send)
        try:
            who = self._admit(scope, unquote(match["user"]))
        except Refusal as refusal:
            return await _refuse(send, refusal)
        try:
            await self.app(scope, receive, send)
        finally:
            self._release(who)

    def _admit(self, scope: Scope, user_id: str) -> str | None:
        if self.open >= int(settings.CHAT_STREAMS_PER_PROCESS):
            raise Refusal(
                503,
                "streams_full",
                "This server holds as many chat streams as it can: try again shortly.",
                RETRY_SECONDS,
            )
        who = _who(scope, user_id)
        if who is not None and self.per_contact[who] >= int(settings.CHAT_STREAMS_PER_CONTACT):
            raise Refusal(
                429,
                "too_many_streams",
                f"This user has {settings.CHAT_STREAMS_PER_CONTACT} chat streams open already "
                "(one per browser is enough: the widget shares it between tabs).",
                RETRY_SECONDS,
            )
        self.open += 1
        if who is not None:
            self.per_contact[who] += 1
        return who

    def _release(self, who: str | None) -> None:
        self.open -= 1
        if who is not None:
            self.per_contact[who] -= 1
            if self.per_contact[who] <= 0:
                del self.per_contact[who]


async def _refuse(send: Send, refusal: Refusal) -> None:
    body = json.dumps(
        {
            "success": False,
            "error": refusal.message,
            "code": refusal.code,
            "message": refusal.message,
        }
    ).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"vary", b"Origin"),
        (b"cache-control", b"no-store"),
    ]
    if refusal.retry_after is not None:
        headers.append((b"retry-after", str(refusal.retry_after).encode()))
    await send({"type": "http.response.start", "status": refusal.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
