"""The widget's real-time feed: `GET /v1/contacts/{user_id}/stream`.

Server-sent events by default; `?transport=poll` answers one long poll in JSON for
browsers or proxies where SSE does not get through. The stream is opened with a stream
token (channels.chat.tokens) or headers, never the key and hash in its URL; a stream that
ends says `event: end`, so the widget opens the next one with a new token. How many
streams one process and one contact may hold: channels.chat.stream_guard. Either way the
cursor is the chat's sequence number (`Last-Event-ID`, or `?after=`), so a widget that
comes back after losing its connection gets every line it missed, exactly once
(channels.chat.lines).

Async views, meant for an ASGI server (uvicorn); they also run under a threaded WSGI
server, one thread per open stream. Database reads go through a small thread pool of
their own so a thousand open streams hold a handful of connections, not a thousand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET

from channels.chat.browser import BrowserRefusal, authorize_contact_call, contact_for
from channels.chat.lines import chat_after, chat_history, chat_snapshot, chat_watch, entry_json
from channels.chat.wakeup import Waiter

_pool: ThreadPoolExecutor | None = None
CONTACT_RECHECK_SECONDS = 2.0
END = "event: end\ndata: {}\n\n"


def close_pool() -> None:
    """Close the pool's threads and their connections (tests, and process shutdown)."""
    global _pool
    pool, _pool = _pool, None
    if pool is None:
        return
    # One job per thread: the barrier keeps a thread from taking two.
    barrier = threading.Barrier(settings.CHAT_DB_THREADS, timeout=5)

    def close() -> None:
        connection.close()
        with contextlib.suppress(threading.BrokenBarrierError):
            barrier.wait()

    for _ in range(settings.CHAT_DB_THREADS):
        pool.submit(close)
    pool.shutdown(wait=True)


def _executor() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=settings.CHAT_DB_THREADS, thread_name_prefix="chat-db"
        )
    return _pool


def _with_connection[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one read on this pool thread's connection, reconnecting once if it broke."""
    try:
        return function(*args, **kwargs)
    except DatabaseError:
        connection.close()
        return function(*args, **kwargs)


async def _db[T](function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        _executor(), lambda: _with_connection(function, *args, **kwargs)
    )


@dataclass(frozen=True)
class Batch:
    lines: list[dict[str, Any]]
    state: dict[str, Any]


def _read(contact_id: int | None, after: int | None) -> Batch:
    """The lines after the cursor (the recent history when there is none) and the state."""
    if contact_id is None:
        return Batch([], {"last": 0, "unread": 0, "open": None})
    entries = (
        chat_history(contact_id=contact_id)
        if after is None
        else chat_after(contact_id=contact_id, after=after)
    )
    return Batch(
        [entry_json(entry) for entry in entries], chat_snapshot(contact_id=contact_id).as_json()
    )


def _cursor(request: HttpRequest) -> int | None:
    """Last-Event-ID (what EventSource sends when it reconnects), else ?after=."""
    raw = request.headers.get("Last-Event-ID") or request.GET.get("after") or ""
    raw = raw.strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 18:
        raise BrowserRefusal(400, "invalid_cursor", "Last-Event-ID / after must be a number.")
    return int(raw)


@require_GET
async def stream(request: HttpRequest, user_id: str) -> HttpResponse | StreamingHttpResponse:
    """SSE (or one long poll) of a contact's chat; needs a stream token, or the write key
    and the user's hash as headers (never in the URL)."""
    try:
        after = _cursor(request)
        call = await _db(authorize_contact_call, request, user_id)
    except BrowserRefusal as refusal:
        return refusal.response()
    # The CORS middleware reads the source from request.auth.
    request.auth = call.source  # type: ignore[attr-defined]
    if request.GET.get("transport") == "poll":
        return await _long_poll(call.contact_id, user_id, after, call.source.id)
    if not hasattr(request, "scope"):
        # A WSGI server would buffer the whole stream: answer what there is and end, so
        # EventSource comes back in a second with Last-Event-ID (polling, but correct).
        return await _one_shot(call.contact_id, after)
    response = StreamingHttpResponse(
        _events(call.contact_id, user_id, after, call.source.id),
        content_type="text/event-stream",
    )
    response["Cache-Control"] = "no-cache, no-store"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def _events(
    contact_id: int | None, user_id: str, after: int | None, source_id: int
) -> AsyncIterator[str]:
    heartbeat = float(settings.CHAT_HEARTBEAT_SECONDS)
    ends_at = time.monotonic() + float(settings.CHAT_STREAM_MAX_SECONDS)
    yield "retry: 1000\n\n"
    while contact_id is None:
        # A user who signed up a moment ago: their contact appears with the first event.
        yield ": waiting for the first message\n\n"
        await asyncio.sleep(CONTACT_RECHECK_SECONDS)
        contact_id = await _db(contact_for, user_id, source_id)
        if time.monotonic() > ends_at:
            yield END
            return
    waiter = Waiter(contact_id)
    last_state: dict[str, Any] | None = None
    await _db(chat_watch, contact_id=contact_id, seconds=3 * heartbeat)
    try:
        while True:
            waiter.clear()
            batch = await _db(_read, contact_id, after)
            if batch.lines:
                after = batch.lines[-1]["seq"]
            elif after is None:
                after = batch.state["last"]
            if batch.lines or batch.state != last_state:
                last_state = batch.state
                yield _sse(batch)
            remaining = ends_at - time.monotonic()
            if remaining <= 0:
                yield END  # the widget reconnects with a new token, not this spent one
                return
            if not await waiter.wait(min(heartbeat, remaining)):
                await _db(chat_watch, contact_id=contact_id, seconds=3 * heartbeat)
                yield ": heartbeat\n\n"
    finally:
        waiter.close()


def _sse(batch: Batch) -> str:
    lines = [
        f"id: {line['seq']}\nevent: line\ndata: {json.dumps(line)}\n\n" for line in batch.lines
    ]
    return "".join(lines) + f"event: state\ndata: {json.dumps(batch.state)}\n\n"


async def _one_shot(contact_id: int | None, after: int | None) -> HttpResponse:
    if contact_id is not None:  # EventSource comes back within a second
        await _db(chat_watch, contact_id=contact_id, seconds=float(settings.CHAT_HEARTBEAT_SECONDS))
    batch = await _db(_read, contact_id, after)
    body = "retry: 1000\n\n" + _sse(batch) + END
    response = HttpResponse(body, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache, no-store"
    return response


async def _long_poll(
    contact_id: int | None, user_id: str, after: int | None, source_id: int
) -> JsonResponse:
    wait = float(settings.CHAT_LONG_POLL_SECONDS)
    if contact_id is None:
        contact_id = await _db(contact_for, user_id, source_id)
    if contact_id is not None:  # the next poll follows at once: watched until well after it
        margin = 2 * float(settings.CHAT_HEARTBEAT_SECONDS)
        await _db(chat_watch, contact_id=contact_id, seconds=wait + margin)
    if contact_id is None or after is None:
        batch = await _db(_read, contact_id, after)
        return JsonResponse({"lines": batch.lines, "state": batch.state})
    waiter = Waiter(contact_id)
    deadline = time.monotonic() + wait
    try:
        batch = first = await _db(_read, contact_id, after)
        # Answer once there is a new line or the badge or open question changed; a wake-up
        # that brought neither (news already seen) waits on.
        while not batch.lines and batch.state == first.state:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not await waiter.wait(remaining):
                break
            waiter.clear()
            batch = await _db(_read, contact_id, after)
    finally:
        waiter.close()
    return JsonResponse({"lines": batch.lines, "state": batch.state})
