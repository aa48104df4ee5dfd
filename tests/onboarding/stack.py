"""Real Stepwise processes for the fault and scale-out tests, all on 127.0.0.1: gunicorn web
servers, qcluster processes per worker cluster, a private redis-server, and the clients a
product's servers would be. Every process runs in its own session and is killed (its whole
group) when the test ends, passed or failed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import pytest
import redis
import requests
from django.conf import settings
from django.db import connection
from django_q.brokers.redis_broker import Redis
from django_q.conf import Conf
from django_q.tasks import async_task

from onboarding.ports import free_port

ROOT = Path(settings.BASE_DIR)


def wait_for(check: Callable[[], object], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if check():
                return
        except (requests.RequestException, redis.RedisError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")
        time.sleep(0.1)


def needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: set DATABASE_URL=postgres://...")


def needs_redis(url: str) -> None:
    try:
        redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip(f"needs Redis at {url}")


def database_url(*, port: int | None = None) -> str:
    """The test database, as a worker or web process connects to it (optionally through a
    proxy listening on `port`)."""
    db = connection.settings_dict
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = "127.0.0.1" if port else db["HOST"]
    return f"postgres://{db['USER']}{password}@{host}:{port or db['PORT'] or 5432}/{db['NAME']}"


@dataclass
class Processes:
    """Every process a test starts, each in its own session, with its output in a log."""

    log_dir: Path
    running: list[tuple[str, subprocess.Popen[bytes], IO[bytes]]] = field(default_factory=list)

    def start(self, name: str, command: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.log_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((name, process, log))
        return process

    def stop(self, process: subprocess.Popen, *, grace: float = 20) -> None:
        if process.poll() is None:
            _signal_group(process, signal.SIGTERM)
            try:
                process.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        _signal_group(process, signal.SIGKILL)  # children a dying parent left behind
        process.wait(timeout=10)

    def stop_all(self, *, grace: float = 15) -> None:
        """SIGTERM to every group at once, then SIGKILL whatever is left after `grace`."""
        for _, process, _ in self.running:
            if process.poll() is None:
                process.terminate()  # the leader stops its own children in order
        deadline = time.monotonic() + grace
        for name, process, log in reversed(self.running):
            started = time.monotonic()
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.write(f"--- did not stop within {grace} s of SIGTERM: killed\n".encode())
            log.write(f"--- {name}: {time.monotonic() - started:.1f} s to stop\n".encode())
            _signal_group(process, signal.SIGKILL)
            process.wait(timeout=10)
            log.close()
        self.running.clear()

    def log(self, name: str) -> str:
        path = self.log_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self) -> str:
        return "\n".join(f"--- {n} ---\n{self.log(n)[-3000:]}" for n, _, _ in self.running)


def _signal_group(process: subprocess.Popen, signum: int) -> None:
    try:
        os.killpg(process.pid, signum)
    except ProcessLookupError:
        pass


@dataclass
class PrivateRedis:
    """A redis-server of the test's own, with no persistence, that it may stop and start
    again on the same port (never the shared one on 6379)."""

    processes: Processes
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no"]
        self.process = self.processes.start(f"redis-{self.port}", command, dict(os.environ))
        wait_for(
            lambda: redis.from_url(self.url(), socket_connect_timeout=0.5).ping(),
            seconds=15,
            what="the private redis-server",
        )

    def stop(self) -> None:
        assert self.process is not None
        self.processes.stop(self.process)
        self.process = None


def stack_env(*, redis_url: str, db_url: str, prefix: str, **extra: str) -> dict[str, str]:
    """The environment of a production-like Stepwise process (DEBUG off, Redis, PostgreSQL)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANYMAIL_", "Q_", "EMAIL_", "CHANNELS_"))
        and k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DEBUG")
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": db_url,
        "REDIS_URL": redis_url,
        "Q_PREFIX": prefix,
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        # In a test, a cap or quiet hours would only hide duplicates.
        "CHANNELS_FREQUENCY_CAP": "0",
        "CHANNELS_SMS_QUIET_HOURS": "",
        **extra,
    }


def postmark_env(url: str) -> dict[str, str]:
    """The real anymail Postmark backend, pointed at a fake Postmark on 127.0.0.1."""
    return {
        "EMAIL_ESP": "postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "fake-postmark-token",
        "ANYMAIL_POSTMARK_API_URL": url + "/",
        "DEFAULT_FROM_EMAIL": "Stepwise <hello@stepwise.example.com>",
    }


def unique_prefix(name: str) -> str:
    return f"{name}-{uuid.uuid4().hex[:8]}"


def start_web(processes: Processes, env: dict[str, str], *, workers: int = 1) -> str:
    """gunicorn onboarding.wsgi, as production runs it; returns its URL once it answers."""
    port = free_port()
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [gunicorn, "onboarding.wsgi", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--graceful-timeout", "5", "--timeout", "60"]
    processes.start(f"web-{port}", command, env)
    url = f"http://127.0.0.1:{port}"
    wait_for(
        lambda: requests.get(f"{url}/v1/openapi.json", timeout=2).ok,
        seconds=60,
        what="gunicorn to answer",
    )
    return url


def start_cluster(processes: Processes, env: dict[str, str], cluster: str, n: int = 0):
    """One `manage.py qcluster` process of one worker cluster."""
    command = [sys.executable, "manage.py", "qcluster"]
    return processes.start(f"{cluster}-{n}", command, env | {"Q_CLUSTER_NAME": cluster})


def clusters(prefix: str) -> tuple[str, ...]:
    """Events, wake-ups, delivery and each channel lane's cluster names for a Q_PREFIX, as
    settings derive them."""
    lanes = tuple(f"{prefix}-{channel}" for channel in settings.Q_CHANNEL_LANES)
    return f"{prefix}-events", f"{prefix}-wakeups", prefix, *lanes


def ensure_schedules(prefix: str) -> None:
    """The minute schedules for a deployment whose Q_PREFIX is `prefix` (a transactional
    test's flush removed the ones migrate made, which name this process's clusters)."""
    from django_q.models import Schedule  # noqa: PLC0415

    from journeys.run.schedules import _schedules  # noqa: PLC0415

    ours = settings.Q_PREFIX
    for name, (func, cluster) in _schedules().items():
        Schedule.objects.update_or_create(
            name=name.replace(ours, prefix),
            defaults={
                "func": func,
                "cluster": prefix + cluster.removeprefix(ours),
                "schedule_type": Schedule.MINUTES,
                "minutes": 1,
                "repeats": -1,
            },
        )


class _Broker(Redis):
    """django-q2's Redis broker for one cluster's queue on a given Redis."""

    def __init__(self, list_key: str, url: str) -> None:
        self._url = url
        super().__init__(list_key=list_key)

    def get_connection(self, list_key: str | None = None) -> redis.Redis:
        return redis.from_url(self._url)


@dataclass
class RemoteQueue:
    """Queue tasks from the test process for the worker processes of a deployment (its
    Redis and Q_PREFIX: tasks are signed with the prefix as salt)."""

    redis_url: str
    prefix: str

    def put(self, cluster: str, func: str, *args: object, **kwargs: object) -> None:
        options = {"broker": _Broker(cluster, self.redis_url), "sync": False, "save": False}
        with _prefix_lock:
            real = Conf.PREFIX
            Conf.PREFIX = self.prefix
            try:
                async_task(func, *args, q_options=options, **kwargs)
            finally:
                Conf.PREFIX = real


_prefix_lock = threading.Lock()


@dataclass
class Traffic:
    """A product's servers sending identify + "Signed Up" for new users to the event API,
    from several threads, remembering what was acknowledged and what was not."""

    urls: list[str]
    write_key: str
    answers: list[tuple[str, int]] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    welcomed_expected: list[str] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def sign_up(self, user: str, *, url: str | None = None) -> None:
        """identify then track "Signed Up", one request each."""
        session = self._session()
        base = url or self.urls[len(self.answers) % len(self.urls)]
        identify, signed_up = _identify(user), _signed_up(user)
        self._send(session, f"{base}/v1/identify", identify, [identify])
        self._send(session, f"{base}/v1/track", signed_up, [signed_up])
        with self._lock:
            self.welcomed_expected.append(user)

    def sign_up_batch(self, users: list[str], *, url: str | None = None) -> None:
        """Both calls for several users in one /v1/batch request."""
        base = url or self.urls[len(self.answers) % len(self.urls)]
        parts = []
        for user in users:
            parts += [
                {"type": "identify", **_identify(user)},
                {"type": "track", **_signed_up(user)},
            ]
        self._send(self._session(), f"{base}/v1/batch", {"batch": parts}, parts)
        with self._lock:
            self.welcomed_expected.extend(users)

    def track(self, user: str, event: str, properties: dict, *, url: str | None = None) -> None:
        base = url or self.urls[len(self.answers) % len(self.urls)]
        body = {
            "userId": user,
            "event": event,
            "properties": properties,
            "messageId": f"{user}-{event}-{len(self.answers)}",
        }
        self._send(self._session(), f"{base}/v1/track", body, [body])

    def _session(self) -> requests.Session:
        session = requests.Session()
        session.auth = (self.write_key, "")
        return session

    def _send(self, session: requests.Session, url: str, body: dict, parts: list[dict]) -> None:
        try:
            answer = session.post(url, json=body, timeout=30)
            status = answer.status_code
        except requests.RequestException:
            status = 0
        with self._lock:
            self.answers.append((url.rsplit("/", 1)[-1], status))
            if status == 200:
                self.acknowledged.extend(p["messageId"] for p in parts)

    def refused(self) -> list[tuple[str, int]]:
        return [answer for answer in self.answers if answer[1] != 200]


def _identify(user: str) -> dict:
    traits = {"email": f"{user}@example.com", "firstName": user.title()}
    return {"userId": user, "traits": traits, "messageId": f"{user}-identify"}


def _signed_up(user: str) -> dict:
    return {
        "userId": user,
        "event": "Signed Up",
        "properties": {"plan": "free"},
        "messageId": f"{user}-signup",
    }
