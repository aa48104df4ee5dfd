"""Another process's news wakes this process's streams: PostgreSQL NOTIFY, Redis pub/sub,
or SQLite polling. Each test sends the news the way another process would."""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import redis
from django.db import connection
from django.utils import timezone

from channels.chat import wakeup
from channels.models import ChatState

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(30)]
REDIS_URL = os.environ.get("STEPWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/3")


@pytest.fixture(autouse=True)
def _fresh_listener():
    wakeup.stop_listener()
    yield
    wakeup.stop_listener()


def _woken_by(send, contact_id: int = 42) -> bool:
    async def run() -> bool:
        waiter = wakeup.Waiter(contact_id)
        try:
            await asyncio.sleep(0.5)  # the listener thread subscribes
            waiter.clear()  # as a stream does before it reads (a listener that starts wakes all)
            await asyncio.get_running_loop().run_in_executor(None, send)
            return await waiter.wait(3.0)
        finally:
            waiter.close()

    # A loop of its own in a thread of its own (a browser test may hold this thread's loop).
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, run()).result()


def test_postgresql_notify_from_another_connection_wakes_the_stream():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")
    assert wakeup.backend() == "postgresql"
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)

    def send() -> None:
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute("SELECT pg_notify(%s, '42')", [wakeup._channel_name()])

    assert _woken_by(send) is True


def test_redis_publish_from_another_client_wakes_the_stream(settings):
    try:
        redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    assert wakeup.backend() == "redis"

    def send() -> None:
        redis.from_url(REDIS_URL).publish(wakeup._channel_name(), "42")

    assert _woken_by(send) is True


def test_news_for_another_contact_does_not_wake_the_stream(settings):
    settings.REDIS_URL = ""
    settings.CHAT_POLL_SECONDS = 0.05
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite poller")
    from journeys.models import Contact  # noqa: PLC0415

    now = timezone.now()
    other = Contact.objects.create(user_id="other", first_seen_at=now, last_seen_at=now)

    def send() -> None:
        ChatState.objects.create(contact_id=other.pk, updated_at=timezone.now())

    assert _woken_by(send, contact_id=other.pk + 1000) is False


def test_sqlite_polling_sees_a_chat_changed_by_another_process(settings):
    if connection.vendor == "postgresql":
        pytest.skip("the SQLite poller")
    settings.REDIS_URL = ""
    settings.CHAT_POLL_SECONDS = 0.05
    from journeys.models import Contact  # noqa: PLC0415

    now = timezone.now()
    contact = Contact.objects.create(user_id="ada", first_seen_at=now, last_seen_at=now)

    def send() -> None:
        ChatState.objects.create(contact_id=contact.pk, last_seq=1, updated_at=timezone.now())

    assert _woken_by(send, contact_id=contact.pk) is True


def test_news_sent_while_the_listener_reconnects_still_wakes_the_stream(settings):
    """Redis drops the listener's connection; a line written before it has subscribed
    again reached nobody, so the listener wakes every waiting stream once it listens."""
    try:
        redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL}")
    settings.REDIS_URL = REDIS_URL
    admin = redis.from_url(REDIS_URL)

    def send() -> None:
        channel = wakeup._channel_name()
        listeners = [c for c in admin.client_list() if c["name"] == channel]
        assert admin.pubsub_numsub(channel)[0][1] >= 1  # the listener is subscribed
        assert listeners
        for client in listeners:
            admin.client_kill_filter(_id=client["id"])
        admin.publish(channel, "42")  # while nobody listens: lost

    assert _woken_by(send) is True
