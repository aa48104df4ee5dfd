"""The bot answers at once, whatever else is queued (issue 24): real processes, the
production worker layout, and every slow thing at once — the real anymail Postmark backend
against a fake Postmark that stalls (or takes 2 s a send) behind a backlog of welcome
emails, a fake Twilio answering 429 to every text, a webhook receiver that never answers.
A contact uploads a file; the bot's in-app praise still arrives, while those backlogs are
still there. Arrival is awaited with generous timeouts, never timed: the old design
(in-app lines delivered by the same workers as email) fails these by minutes."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from django.db import connection

from channels.models import ChatEntry, Message
from journeys.run.journeys import journey_import
from tests.fakes.http import FakePostmark, FakeTwilio, Scripted, twilio_error

from .stack import (
    ROOT,
    Processes,
    clusters,
    database_url,
    ensure_schedules,
    needs_postgres,
    needs_redis,
    postmark_env,
    stack_env,
    start_cluster,
    start_web,
    unique_prefix,
    wait_for,
)

pytestmark = [pytest.mark.xdist_group("processes"), pytest.mark.timeout(300)]
REDIS_URL = os.environ.get("STEPWISE_TEST_FAST_REDIS_URL", "redis://127.0.0.1:6379/13")
USERS = 40
UPLOADERS = 8


class _RateLimitedTwilio(FakeTwilio):
    """Twilio refusing every text with 429 (too many requests)."""

    def default_response(self, request):  # noqa: ANN001, ANN201
        return Scripted(429, twilio_error(429, 20429, "Too Many Requests"))


class _SilentReceiver:
    """A webhook receiver that accepts connections and never says a word."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def port(self) -> int:
        return self.server.getsockname()[1]

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.held.append(client)

    def close(self) -> None:
        self.server.close()
        for client in self.held:
            client.close()


def _texts_and_hooks(port: int) -> dict:
    """A second journey on sign-up: a text, then a webhook to the silent receiver."""
    body = '{"user": {{ contact.user_id | json }}}'
    return {
        "format": "stepwise.journey/1",
        "key": "noise",
        "name": "Texts and hooks",
        "trigger": {"event": "Signed Up"},
        "steps": [
            {"id": "text", "type": "message", "channel": "sms",
             "variants": [{"body": "Welcome aboard!"}]},
            {"id": "hook", "type": "message", "channel": "webhook",
             "variants": [{"url": f"https://127.0.0.1:{port}/hook", "body": body}]},
            {"id": "end", "type": "exit"},
        ],
    }  # fmt: skip


@pytest.fixture
def slow_world() -> Iterator[tuple[FakePostmark, _RateLimitedTwilio, _SilentReceiver]]:
    postmark = FakePostmark(record=False).start()
    twilio = _RateLimitedTwilio().start()
    receiver = _SilentReceiver()
    yield postmark, twilio, receiver
    receiver.close()
    twilio.stop()
    postmark.stop()


def _provider_env(postmark: FakePostmark, twilio: FakeTwilio, **extra: str) -> dict[str, str]:
    return {
        **postmark_env(postmark.url),
        "ANYMAIL_REQUESTS_TIMEOUT": "120",  # a stalled ESP really holds its workers
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": "twilio-auth-token",
        "TWILIO_FROM": "+15017122661",
        "TWILIO_API_BASE_URL": twilio.url,
        "CHANNELS_OUTBOUND_ALLOWED_HOSTS": "127.0.0.1",
        "CHANNELS_HTTP_TIMEOUT_SECONDS": "30",
        "CHANNELS_RETRY_BASE_SECONDS": "1",
        **extra,
    }


def _sign_up_with_phones(web: str, write_key: str, users: list[str]) -> None:
    parts = []
    for n, user in enumerate(users):
        traits = {"email": f"{user}@example.com", "phone": f"+1415555{n:04d}"}
        parts += [
            {"type": "identify", "userId": user, "traits": traits, "messageId": f"{user}-id"},
            {"type": "track", "userId": user, "event": "Signed Up",
             "properties": {"plan": "free"}, "messageId": f"{user}-signup"},
        ]  # fmt: skip
    answer = requests.post(
        f"{web}/v1/batch", json={"batch": parts}, auth=(write_key, ""), timeout=60
    )
    assert answer.status_code == 200, answer.text


def _upload(web: str, write_key: str, user: str) -> None:
    body = {"userId": user, "event": "Uploaded File", "properties": {"filename": f"{user}.pdf"}}
    answer = requests.post(f"{web}/v1/track", json=body, auth=(write_key, ""), timeout=60)
    assert answer.status_code == 200, answer.text


@pytest.mark.django_db(transaction=True)
def test_the_praise_arrives_while_email_stalls_texts_are_refused_and_hooks_hang(
    processes: Processes, slow_world, welcome_live, settings
):
    """PostgreSQL, Redis, and one process of each worker cluster, as docs/deploy.md runs
    them. The ESP stalls for two minutes a send."""
    needs_postgres()
    needs_redis(REDIS_URL)
    settings.CHANNELS_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1"]  # the receiver, at import
    postmark, twilio, receiver = slow_world
    postmark.send_delay = 120
    journey_import(data=_texts_and_hooks(receiver.port), publish=True)
    prefix = unique_prefix("fast")
    ensure_schedules(prefix)
    env = stack_env(
        redis_url=REDIS_URL, db_url=database_url(), prefix=prefix, **_provider_env(postmark, twilio)
    )
    web = start_web(processes, env, workers=2)
    for cluster in clusters(prefix):
        start_cluster(processes, env, cluster)
    users = [f"fast{n}" for n in range(USERS)]

    _sign_up_with_phones(web, welcome_live, users)
    wait_for(
        lambda: len(twilio.requests) >= 2 and len(receiver.held) >= 2,
        seconds=120,
        what="the text and webhook backlogs to be under way",
    )
    uploaders = users[-UPLOADERS:]  # their welcome emails wait at the back of the queue
    for user in uploaders:
        _upload(web, welcome_live, user)

    praised = lambda: ChatEntry.objects.filter(  # noqa: E731
        contact__user_id__in=uploaders, kind="message", text__startswith="Nice"
    ).count()
    wait_for(lambda: praised() == UPLOADERS, seconds=90, what="every uploader's praise")
    waiting = Message.objects.filter(status="queued")
    assert waiting.filter(channel="email", contact__user_id__in=uploaders).count() == UPLOADERS
    assert waiting.filter(channel="sms").exists()
    assert waiting.filter(channel="webhook").exists()


_SET_UP = """
import json, django
django.setup()
from journeys.run.journeys import journey_import
from journeys.people.sources import source_create
journey_import(data=json.load(open("tests/journeys/runtime/welcome.json")), publish=True)
journey_import(data=json.loads({noise!r}), publish=True)
print(source_create(name="Product")[1])
"""


def _sqlite_env(var_dir: Path, postmark: FakePostmark, twilio: FakeTwilio) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANYMAIL_", "Q_", "EMAIL_", "CHANNELS_", "TWILIO_"))
        and k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "DEBUG")
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "SECRET_KEY": "fast-path-sqlite-secret-key",
        "STEPWISE_VAR_DIR": str(var_dir),
        "Q_PREFIX": unique_prefix("fast-sqlite"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "CHANNELS_FREQUENCY_CAP": "0",
        "CHANNELS_SMS_QUIET_HOURS": "",
        **_provider_env(postmark, twilio),
    }


def test_on_sqlite_with_the_demos_workers_the_praise_arrives_behind_a_slow_esp(
    processes: Processes, slow_world, tmp_path
):
    """SQLite and `manage.py workers`, what `make demo` runs: the ESP takes 2 s a send
    and has forty welcome emails to take; texts are refused, webhooks hang."""
    if connection.vendor != "sqlite":
        pytest.skip("runs in the suite's SQLite pass (it uses a SQLite file of its own)")
    postmark, twilio, receiver = slow_world
    postmark.send_delay = 2
    env = _sqlite_env(tmp_path, postmark, twilio)
    python = [sys.executable]
    subprocess.run([*python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    set_up = _SET_UP.format(noise=json.dumps(_texts_and_hooks(receiver.port)))
    made = subprocess.run(
        [*python, "-c", set_up], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    write_key = made.stdout.strip().splitlines()[-1]
    web = start_web(processes, env)
    workers = processes.start("workers", [*python, "manage.py", "workers"], env)
    users = [f"lite{n}" for n in range(USERS)]
    database = tmp_path / "stepwise.sqlite3"

    def rows(sql: str) -> list[tuple]:
        with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as db:
            return db.execute(sql).fetchall()

    _sign_up_with_phones(web, write_key, users)
    wait_for(
        lambda: len(twilio.requests) >= 2 and len(receiver.held) >= 1,
        seconds=120,
        what="the text and webhook backlogs to be under way",
    )
    uploaders = users[-UPLOADERS:]
    for user in uploaders:
        _upload(web, write_key, user)

    praise = "SELECT count(*) FROM channels_chatentry WHERE kind = 'message' AND text LIKE 'Nice%'"
    wait_for(lambda: rows(praise)[0][0] == UPLOADERS, seconds=90, what="every praise")
    [(emails_waiting,)] = rows(
        "SELECT count(*) FROM channels_message WHERE channel = 'email' AND status = 'queued'"
    )
    assert emails_waiting > 0  # the slow ESP still had its backlog when the bot answered
    # One host: the bot's cluster keeps its priority, the throughput work runs nicer.
    base = os.getpriority(os.PRIO_PROCESS, workers.pid)
    niceness = _niceness_by_cluster(workers.pid)
    assert niceness.pop(f"{env['Q_PREFIX']}-events") == base
    assert set(niceness.values()) == {base + 5}, niceness


def _niceness_by_cluster(workers_pid: int) -> dict[str, int]:
    """The `qcluster` children of `manage.py workers`: cluster name → niceness (Linux)."""
    found = {}
    children = Path(f"/proc/{workers_pid}/task/{workers_pid}/children").read_text().split()
    for child in map(int, children):
        environ = Path(f"/proc/{child}/environ").read_bytes().split(b"\0")
        name = next(v[15:] for v in environ if v.startswith(b"Q_CLUSTER_NAME="))
        found[name.decode()] = os.getpriority(os.PRIO_PROCESS, child)
    return found
