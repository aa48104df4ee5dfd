"""Waking the streams of a contact when its chat gets a new line, across processes.

The writer (`publish`) and the waiting streams (`Waiter`) may live in different processes:
the worker writes, the ASGI web process streams. How the news travels:

- `REDIS_URL` set: Redis pub/sub, published after commit;
- PostgreSQL: `NOTIFY` inside the writing transaction (PostgreSQL delivers it at commit);
- SQLite: one thread per process polls the chat table for new rows.

One listener thread per process receives the news and sets the waiting streams' events in
their own event loops, so it works the same under uvicorn and under a threaded WSGI server.
The news only says "look again": streams always re-read from the database, so a lost or
duplicated wake-up never loses or repeats a line (streams also re-read on every
heartbeat). News sent while no listener listened (it failed, and is starting again) is
lost, so a listener that starts listening wakes every waiting stream once."""

from __future__ import annotations

import asyncio
import hashlib
import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

import psycopg
import redis
from django.conf import settings
from django.db import OperationalError, close_old_connections, connection, transaction
from django.utils import timezone

from channels.models import ChatState

logger = logging.getLogger(__name__)
_lock = threading.Lock()
_waiters: dict[int, set[Waiter]] = defaultdict(set)
_listener: threading.Thread | None = None
_listener_stop = threading.Event()
OVERLAP = timedelta(seconds=1)


def _channel_name() -> str:
    """One channel per database, so test databases and installations never cross."""
    db = connection.settings_dict
    where = f"{db.get('HOST', '')}:{db.get('PORT', '')}/{db.get('NAME', '')}"
    return "stepwise_chat_" + hashlib.sha256(where.encode()).hexdigest()[:12]


def backend() -> str:
    """ "redis", "postgresql" or "poll": how this installation wakes its streams."""
    if settings.REDIS_URL:
        return "redis"
    return "postgresql" if connection.vendor == "postgresql" else "poll"


def publish(contact_id: int) -> None:
    """Tell every process that `contact_id`'s chat changed (once the transaction commits)."""
    publish_many([contact_id])


# PostgreSQL's NOTIFY payload must stay under 8,000 bytes: ids go out in chunks.
_IDS_PER_NOTICE = 500


def publish_many(contact_ids: Sequence[int]) -> None:
    """Tell every process that these contacts' chats changed, in one notice per 500."""
    if not contact_ids:
        return
    kind = backend()
    channel = _channel_name()
    payloads = [
        ",".join(str(pk) for pk in contact_ids[start : start + _IDS_PER_NOTICE])
        for start in range(0, len(contact_ids), _IDS_PER_NOTICE)
    ]
    if kind == "postgresql":
        with connection.cursor() as cursor:
            for payload in payloads:
                cursor.execute("SELECT pg_notify(%s, %s)", [channel, payload])
    elif kind == "redis":
        transaction.on_commit(lambda: _redis_publish(channel, payloads))
    # This process's own streams need not wait for the round trip.
    ids = list(contact_ids)
    transaction.on_commit(lambda: _wake_all(ids))


def _wake_all(contact_ids: list[int]) -> None:
    for contact_id in contact_ids:
        wake(contact_id)


def _redis_publish(channel: str, payloads: list[str]) -> None:
    try:
        for payload in payloads:
            _redis().publish(channel, payload)
    except redis.RedisError:
        # The streams' heartbeat re-read delivers the line a little later.
        logger.warning("chat.wakeup.redis_failed", extra={"contacts": len(payloads)})


_redis_client: redis.Redis | None = None


def _redis() -> redis.Redis:
    global _redis_client
    if _redis_client is None:
        _redis_client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    return _redis_client


def wake(contact_id: int) -> None:
    """Wake this process's streams for `contact_id` (safe from any thread)."""
    with _lock:
        waiters = list(_waiters.get(contact_id, ()))
    for waiter in waiters:
        waiter.set()


class Waiter:
    """One stream's doorbell: register for a contact, then `await wait(timeout)`."""

    def __init__(self, contact_id: int) -> None:
        self.contact_id = contact_id
        self._loop = asyncio.get_running_loop()
        self._event = asyncio.Event()
        with _lock:
            _waiters[contact_id].add(self)
        _ensure_listener()

    def set(self) -> None:
        try:
            self._loop.call_soon_threadsafe(self._event.set)
        except RuntimeError:
            pass  # the stream's loop has closed: it is gone

    def clear(self) -> None:
        self._event.clear()

    async def wait(self, timeout: float) -> bool:
        """True when woken, False after `timeout` seconds of quiet."""
        try:
            await asyncio.wait_for(self._event.wait(), timeout)
        except TimeoutError:
            return False
        return True

    def close(self) -> None:
        with _lock:
            waiters = _waiters.get(self.contact_id)
            if waiters is not None:
                waiters.discard(self)
                if not waiters:
                    del _waiters[self.contact_id]


def waiting_streams() -> int:
    with _lock:
        return sum(len(waiters) for waiters in _waiters.values())


def _ensure_listener() -> None:
    global _listener
    with _lock:
        if _listener is not None and _listener.is_alive():
            return
        kind = backend()
        target = {"redis": _listen_redis, "postgresql": _listen_postgresql}.get(kind, _poll)
        _listener_stop.clear()
        _listener = threading.Thread(
            target=_forever, args=(target, _channel_name()), name=f"chat-{kind}", daemon=True
        )
        _listener.start()


def stop_listener() -> None:
    """Stop this process's listener thread (tests; it restarts on the next stream)."""
    global _listener
    _listener_stop.set()
    thread, _listener = _listener, None
    if thread is not None:
        thread.join(timeout=5)


def _forever(listen, channel: str) -> None:  # noqa: ANN001 - one of the _listen functions
    """Keep listening; after a failure wait a little and start again."""
    delay = 0.5
    while not _listener_stop.is_set():
        try:
            listen(channel)
            delay = 0.5
        except Exception:  # noqa: BLE001 - a listener must survive any broker or DB failure
            logger.warning("chat.wakeup.listener_failed", exc_info=True)
            _listener_stop.wait(delay)
            delay = min(delay * 2, 10)


def _listening() -> None:
    """The listener is subscribed (again): whatever changed while it was not reached
    nobody, so every waiting stream looks once (a line would otherwise wait for its
    stream's heartbeat, seconds later)."""
    with _lock:
        contact_ids = list(_waiters)
    _wake_all(contact_ids)


def _wake_from(payload: str | bytes) -> None:
    text = payload.decode() if isinstance(payload, bytes) else payload
    for part in text.split(","):
        if part.isdigit():
            wake(int(part))


def _listen_postgresql(channel: str) -> None:
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as conn:
        conn.execute(f'LISTEN "{channel}"')
        _listening()
        while not _listener_stop.is_set():
            for notify in conn.notifies(timeout=1.0):
                _wake_from(notify.payload)


def _listen_redis(channel: str) -> None:
    # Named after its channel, so CLIENT LIST tells an operator whose listener it is.
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=None, client_name=channel)
    pubsub = client.pubsub(ignore_subscribe_messages=True)
    try:
        pubsub.subscribe(channel)
        _listening()
        while not _listener_stop.is_set():
            message = pubsub.get_message(timeout=1.0)
            if message is not None and message.get("type") == "message":
                _wake_from(message["data"])
    finally:
        pubsub.close()
        client.close()


def _poll(channel: str) -> None:
    """SQLite: every CHAT_POLL_SECONDS while any stream waits, one query for the chats
    that changed since the last look (a new line, a read mark, a closed question)."""
    interval = float(settings.CHAT_POLL_SECONDS)
    since = timezone.now()
    _listening()
    try:
        while not _listener_stop.is_set():
            _listener_stop.wait(interval)
            if not waiting_streams():
                since = timezone.now()
                continue
            close_old_connections()
            # A second of overlap: a row committed just after its timestamp is not missed;
            # waking a stream twice only makes it re-read.
            looked_at = timezone.now()
            changed = ChatState.objects.filter(updated_at__gte=since - OVERLAP).values_list(
                "contact_id", flat=True
            )
            try:
                woken = list(changed[:5000])
            except OperationalError:
                # SQLite busy or locked by a writer for a moment: look again at the next
                # tick, from the same moment, so nothing changed meanwhile is missed.
                continue
            for contact_id in woken:
                wake(contact_id)
            since = looked_at
    finally:
        connection.close()
