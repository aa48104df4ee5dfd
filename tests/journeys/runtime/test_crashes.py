"""Exactly one message per step visit, whatever crashes: a worker killed mid-batch, and two
qclusters sharing one Redis broker and one PostgreSQL database. Real processes, real SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Count
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
from django_q.tasks import async_task

from channels.models import Message
from journeys.models import Contact, Enrollment, Event, EventType

REDIS_URL = os.environ.get("STEPWISE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
BASE_DIR = Path(settings.BASE_DIR)

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _needs_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


@pytest.fixture
def redis_url() -> str:
    try:
        redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {REDIS_URL}")
    return REDIS_URL


def _database_url() -> str:
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"


def _env(**extra: str) -> dict[str, str]:
    """The environment of a real worker process pointed at this test's database."""
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    return (
        env
        | {
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "SECRET_KEY": settings.SECRET_KEY,
            "DATABASE_URL": _database_url(),
            "LOG_LEVEL": "WARNING",
        }
        | extra
    )


def _wait_for(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.1)


def _signups(make_contact, send_event, count: int, prefix: str) -> list[Contact]:
    contacts = [make_contact(f"{prefix}{n}") for n in range(count)]
    for contact in contacts:
        send_event(contact, "Signed Up", plan="free")
    return contacts


def _one_message_per_visit() -> None:
    per_visit = Message.objects.values("step_visit_id").annotate(n=Count("id")).filter(n__gt=1)
    assert list(per_visit) == []


_RUN_WORKER = (
    "import django; django.setup(); "
    "from journeys.tasks import process_pending_events; process_pending_events(linger=0)"
)


def _blocked_backends(cur: psycopg.Cursor) -> list[int]:
    cur.execute(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
        "AND wait_event_type = 'Lock' AND query ILIKE '%journeys_eventtype%'"
    )
    return [row[0] for row in cur.fetchall()]


def test_a_worker_killed_mid_batch_loses_nothing_and_duplicates_nothing(
    live_welcome, make_contact, send_event, run_worker
):
    _signups(make_contact, send_event, 1, "warm")
    run_worker()  # the catalogue row for "Signed Up" now exists
    contacts = _signups(make_contact, send_event, 60, "user")
    blocker = psycopg.connect(_database_url().replace("postgres://", "postgresql://"))
    watcher = psycopg.connect(
        _database_url().replace("postgres://", "postgresql://"), autocommit=True
    )
    # Holding the catalogue row stops the worker late in its batch: after it has written the
    # enrollments, visits and messages, before it commits.
    blocker.execute("SELECT id FROM journeys_eventtype WHERE name = 'Signed Up' FOR UPDATE")
    worker = subprocess.Popen([sys.executable, "-c", _RUN_WORKER], cwd=BASE_DIR, env=_env())
    with watcher.cursor() as cur:
        try:
            _wait_for(lambda: bool(_blocked_backends(cur)), seconds=90, what="the worker mid-batch")
        except AssertionError:
            # Never leave the row locked: the next test's flush would wait for it forever.
            worker.kill()
            blocker.close()
            raise
        [backend] = _blocked_backends(cur)

        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
        blocker.rollback()
        cur.execute("SELECT pg_terminate_backend(%s)", [backend])  # what PG does on EOF
        _wait_for(
            lambda: (
                cur.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend]).fetchone()
                is None
            ),
            seconds=10,
            what="the killed worker's transaction to end",
        )
    blocker.close()
    watcher.close()

    assert worker.returncode == -signal.SIGKILL
    assert Message.objects.count() == 1
    assert Enrollment.objects.count() == 1
    assert Event.objects.filter(processed_at__isnull=True).count() == 60

    rerun = subprocess.run(
        [sys.executable, "-c", _RUN_WORKER], cwd=BASE_DIR, env=_env(), timeout=60
    )

    assert rerun.returncode == 0
    assert Event.objects.filter(processed_at__isnull=True).count() == 0
    assert Message.objects.filter(contact__in=contacts).count() == 60
    assert Enrollment.objects.filter(contact__in=contacts, state="waiting").count() == 60
    assert EventType.objects.get(name="Signed Up").count == 61
    _one_message_per_visit()


class _Broker(Redis):
    """django-q2's Redis broker for a given URL (the test process itself runs tasks inline)."""

    def __init__(self, list_key: str, url: str) -> None:
        self._url = url
        super().__init__(list_key=list_key)

    def get_connection(self, list_key: str | None = None) -> redis.Redis:
        return redis.from_url(self._url)


@pytest.fixture
def two_clusters(redis_url, monkeypatch) -> Iterator[_Broker]:
    name = f"stepwise-test-{uuid.uuid4().hex[:8]}"
    monkeypatch.setattr(Conf, "PREFIX", name)  # tasks are signed with the cluster's name
    env = _env(REDIS_URL=redis_url, Q_PREFIX=name, Q_CLUSTER_NAME=name, Q_WORKERS="2")
    command = [sys.executable, "manage.py", "qcluster"]
    clusters = [subprocess.Popen(command, cwd=BASE_DIR, env=env) for _ in range(2)]
    broker = _Broker(name, redis_url)
    yield broker
    for cluster in clusters:
        cluster.send_signal(signal.SIGTERM)
    for cluster in clusters:
        try:
            cluster.wait(timeout=20)
        except subprocess.TimeoutExpired:
            cluster.kill()
    broker.delete_queue()


def _kick(broker: _Broker, times: int) -> None:
    for _ in range(times):
        async_task(
            "journeys.tasks.process_pending_events",
            batch_size=100,
            q_options={"broker": broker, "sync": False, "save": False},
        )


def test_two_qclusters_on_one_broker_send_exactly_one_message_per_visit(
    live_welcome, make_contact, send_event, two_clusters
):
    contacts = _signups(make_contact, send_event, 400, "user")
    _kick(two_clusters, 8)
    _wait_for(
        lambda: not Event.objects.filter(processed_at__isnull=True).exists(),
        seconds=90,
        what="the sign-ups to be processed",
    )
    for contact in contacts:
        send_event(contact, "Uploaded File", filename=f"{contact.user_id}.pdf")
    _kick(two_clusters, 8)

    _wait_for(
        lambda: Enrollment.objects.filter(state="completed").count() == 400,
        seconds=90,
        what="every enrollment to complete",
    )

    assert Enrollment.objects.count() == 400
    assert Message.objects.count() == 800
    assert Message.objects.filter(channel="in_app").count() == 400
    assert Event.objects.filter(processed_at__isnull=True).count() == 0
    assert EventType.objects.get(name="Uploaded File").count == 400
    _one_message_per_visit()
    in_app = Message.objects.get(channel="in_app", contact__user_id="user7")
    assert in_app.context["event"]["filename"] == "user7.pdf"
