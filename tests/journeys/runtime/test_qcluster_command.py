"""`manage.py qcluster`, the command every django-q2 user knows (issue 20, point 8): with no
Q_CLUSTER_NAME it takes every queue (a one-process install), and a name that is none of
this deployment's clusters is refused with the way out. Never a worker that silently
ignores events. The real command, in real processes, on a database of their own."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings

BASE_DIR = Path(settings.BASE_DIR)
# The events, wake-ups and delivery clusters, and each channel's delivery lane
# (Q_CHANNEL_LANES' default: email, SMS, webhook).
CLUSTERS = {
    "stepwise-events",
    "stepwise-wakeups",
    "stepwise",
    "stepwise-email",
    "stepwise-sms",
    "stepwise-webhook",
}
_DROPPED = {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "REDIS_URL", "Q_CLUSTER_NAME", "Q_PREFIX"}


def _env(database: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in _DROPPED}
    return env | {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": "qcluster-command-test",
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def _manage(env: dict[str, str], *argv: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "manage.py", *argv]
    return subprocess.run(
        command, cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )


def _wait_for(check: Callable[[], bool], *, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {seconds} s waiting for {what}")
        time.sleep(0.5)


def _beats(database: Path) -> set[str]:
    with sqlite3.connect(database, timeout=30) as db:
        return {row[0] for row in db.execute("SELECT cluster FROM journeys_workerheartbeat")}


@pytest.mark.parametrize(
    ("argv", "extra", "problem"),
    [
        ((), {"Q_CLUSTER_NAME": "stepwise-event"}, "'stepwise-event' is not one of this"),
        (("--name", "deliveries"), {}, "'deliveries' is not one of this deployment's"),
        (("--run-once",), {}, "--run-once runs one cluster: name it"),
    ],
)
def test_a_name_that_is_none_of_our_clusters_is_refused_with_the_way_out(
    tmp_path, argv, extra, problem
):
    done = _manage(_env(tmp_path / "unused.sqlite3", **extra), "qcluster", *argv)

    assert done.returncode == 1, done.stdout
    assert problem in done.stderr
    assert "Q_CLUSTER_NAME=stepwise-events or stepwise-wakeups or stepwise" in done.stderr
    assert "run `manage.py workers` for all of them" in done.stderr


def test_qcluster_with_no_name_takes_every_queue(tmp_path):
    database = tmp_path / "stepwise.sqlite3"
    env = _env(database)
    migrated = _manage(env, "migrate", "-v", "0")
    assert migrated.returncode == 0, migrated.stderr
    log = (tmp_path / "qcluster.log").open("w+")
    worker = subprocess.Popen(  # noqa: S603 - our own manage.py
        [sys.executable, "manage.py", "qcluster"],
        cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    try:
        # One task on each cluster's own queue: only a worker of that cluster takes it.
        queued = _manage(
            env, "shell", "-c",
            "from django.conf import settings; from django_q.tasks import async_task as q; "
            "[q('journeys.tasks.heartbeat', cluster=name) for name in settings.Q_CLUSTERS]",
        )  # fmt: skip
        assert queued.returncode == 0, queued.stderr

        _wait_for(lambda: _beats(database) == CLUSTERS, seconds=180, what="every cluster")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    log.seek(0)
    assert "No Q_CLUSTER_NAME: running every worker cluster" in log.read()
