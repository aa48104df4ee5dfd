"""The ESP outage on the embedded default: SQLite and django-q2's ORM broker, as `make demo`
and one-host installs run it (the PostgreSQL + Redis version is in test_faults.py). Real
processes on a SQLite file of the test's own: gunicorn, `manage.py workers` (the three
clusters), the real anymail Postmark backend against a fake Postmark that answers 503."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from .stack import ROOT, Processes, Traffic, postmark_env, start_web, unique_prefix, wait_for

pytestmark = [pytest.mark.xdist_group("processes"), pytest.mark.timeout(240)]
# The outage lasts three attempts per email (0, 1 and 3 "minutes" of the retry schedule),
# counted by the fake, not timed: a slow machine still sees every email refused first.
ESP_OUTAGE_ATTEMPTS = 3
USERS = 20

_SET_UP = """
import json, django
django.setup()
from journeys.run.journeys import journey_import
from journeys.people.sources import source_create
journey_import(data=json.load(open("tests/journeys/runtime/welcome.json")), publish=True)
print(source_create(name="Product")[1])
"""

# The delivery sweep once a second: production's minute at 1:60 (see the test's docstring).
_CLOCK = """
import time, django
django.setup()
from django.conf import settings
from django_q.tasks import async_task
while True:
    async_task("channels.tasks.send_due_messages", cluster=settings.Q_DELIVERY_CLUSTER,
               q_options={"save": False})
    time.sleep(1)
"""


def _env(var_dir: Path, postmark_url: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("ANYMAIL_", "Q_", "EMAIL_", "CHANNELS_"))
        and k not in ("DJANGO_SETTINGS_MODULE", "REDIS_URL", "DATABASE_URL", "DEBUG")
    }
    return env | {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "SECRET_KEY": "faults-sqlite-secret-key",
        "STEPWISE_VAR_DIR": str(var_dir),
        "Q_PREFIX": unique_prefix("faults-sqlite"),
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
        "CHANNELS_FREQUENCY_CAP": "0",
        "CHANNELS_RETRY_BASE_SECONDS": "1",
        "CHANNELS_MAX_ATTEMPTS": "5",
        **postmark_env(postmark_url),
    }


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def test_the_esp_failing_for_ten_minutes_on_sqlite_every_email_goes_out_once(
    processes: Processes, postmark, tmp_path
):
    """Postmark answers 503 for "ten minutes", time running 60 times faster (retry base
    1 s, the delivery sweep every second): the default five attempts fall at 0, 1, 3, 7 and
    15 "minutes", and every contact gets its welcome email exactly once."""
    if connection.vendor != "sqlite":
        pytest.skip("runs in the suite's SQLite pass (it uses a SQLite file of its own)")
    env = _env(tmp_path, postmark.url)
    python = [sys.executable]
    subprocess.run([*python, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True)
    made = subprocess.run(
        [*python, "-c", _SET_UP], cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    write_key = made.stdout.strip().splitlines()[-1]
    web = start_web(processes, env)
    processes.start("workers", [*python, "manage.py", "workers"], env)
    processes.start("clock", [*python, "-c", _CLOCK], env)
    traffic = Traffic([web], write_key)
    database = tmp_path / "stepwise.sqlite3"

    postmark.failures_per_recipient = ESP_OUTAGE_ATTEMPTS
    for n in range(USERS // 5):
        traffic.sign_up_batch([f"lite{n}-{i}" for i in range(5)])
    expected = Counter(f"{user}@example.com" for user in traffic.welcomed_expected)
    welcomes = lambda: Counter(email["To"] for email in postmark.accepted)  # noqa: E731
    wait_for(lambda: welcomes() == expected, seconds=120, what="every welcome email, once")

    # Postmark's 200 comes before the worker records it: wait for the record, not a moment.
    sql = "SELECT status, attempts, status_reason FROM channels_message"
    all_sent = lambda: {status for status, _, _ in _rows(database, sql)} == {"sent"}  # noqa: E731
    wait_for(all_sent, seconds=60, what="every message recorded as sent")
    wait_for(
        lambda: (
            _rows(database, "SELECT count(*) FROM journeys_event WHERE processed_at IS NULL")
            == [(0,)]
        ),
        seconds=60,
        what="every event processed",
    )

    assert traffic.refused() == []
    assert postmark.refused == USERS * ESP_OUTAGE_ATTEMPTS  # each refused three times
    statuses = _rows(database, sql)
    assert {status for status, _, _ in statuses} == {"sent"}, json.dumps(statuses)
    assert all(attempts == ESP_OUTAGE_ATTEMPTS + 1 for _, attempts, _ in statuses)
    [(left,)] = _rows(database, "SELECT count(*) FROM journeys_event WHERE processed_at IS NULL")
    assert left == 0
