"""What an operator relies on: the health endpoint, the metrics, deploy hardening, logs."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import timezone

from journeys.models import Event, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "stepwise.example.com",
    "PUBLIC_URL": "https://stepwise.example.com",
    "EMAIL_ESP": "postmark",
    "ANYMAIL_POSTMARK_SERVER_TOKEN": "server-token",
    "ANYMAIL_WEBHOOK_SECRET": "hooks:webhook-password",
    "TWILIO_AUTH_TOKEN": "twilio-token",
}


def _run(code: str, **env: str) -> subprocess.CompletedProcess[str]:
    """Python in a fresh process with the real settings module and the given environment."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**base, "DJANGO_SETTINGS_MODULE": "onboarding.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def _beat_all(age: timedelta = timedelta(0)) -> None:
    for cluster in settings.Q_CLUSTERS:
        WorkerHeartbeat.objects.update_or_create(
            cluster=cluster, defaults={"host": "h", "pid": 1, "beat_at": timezone.now() - age}
        )


# --- /healthz -------------------------------------------------------------------------


def test_healthz_is_ok_when_every_cluster_beat_recently(client, db):
    _beat_all()

    answer = client.get("/healthz")

    assert answer.status_code == 200
    body = answer.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert set(body["clusters"]) == set(settings.Q_CLUSTERS)
    assert all(cluster["ok"] for cluster in body["clusters"].values())
    assert answer["Cache-Control"].startswith("max-age=0")


def test_healthz_names_the_cluster_that_stopped_and_how_far_behind_events_are(
    client, db, make_source
):
    _beat_all()
    WorkerHeartbeat.objects.filter(cluster=settings.Q_EVENTS_CLUSTER).update(
        beat_at=timezone.now() - timedelta(minutes=10)
    )
    source, _key = make_source()
    from journeys.models import Contact

    now = timezone.now()
    ada = Contact.objects.create(source=source, user_id="ada", first_seen_at=now, last_seen_at=now)
    Event.objects.create(
        source=source, contact=ada, name="Signed Up", message_id="m1",
        timestamp=now, received_at=now - timedelta(seconds=90),
    )  # fmt: skip

    answer = client.get("/healthz")

    body = answer.json()
    assert (answer.status_code, body["status"]) == (503, "degraded")
    assert body["clusters"][settings.Q_EVENTS_CLUSTER]["ok"] is False
    assert body["clusters"][settings.Q_EVENTS_CLUSTER]["last_heartbeat_seconds_ago"] >= 600
    assert body["clusters"][settings.Q_DELIVERY_CLUSTER]["ok"] is True
    assert 89 <= body["oldest_unprocessed_event_seconds"] < 200
    stopped, behind = body["reasons"]
    assert stopped.startswith(f"The worker cluster {settings.Q_EVENTS_CLUSTER} last reported ")
    assert behind.startswith("The oldest new event has waited ")
    assert behind.endswith(" seconds for the worker (more than 60).")


def _event(source, received_ago: timedelta, **fields) -> Event:
    from journeys.models import Contact

    now = timezone.now()
    ada, _ = Contact.objects.get_or_create(
        source=source, user_id="ada", defaults={"first_seen_at": now, "last_seen_at": now}
    )
    return Event.objects.create(
        source=source, contact=ada, name="Signed Up", message_id=f"m{Event.objects.count()}",
        timestamp=now, received_at=now - received_ago, **fields,
    )  # fmt: skip


def test_healthz_turns_503_when_events_wait_longer_than_the_setting(client, db, make_source):
    """The issue: events stalled for two minutes behind one contact's data while /healthz
    said "ok"."""
    _beat_all()
    source, _key = make_source()
    waiting = _event(source, timedelta(seconds=40))
    assert client.get("/healthz").status_code == 200

    Event.objects.filter(pk=waiting.pk).update(received_at=timezone.now() - timedelta(seconds=61))
    answer = client.get("/healthz")

    assert (answer.status_code, answer.json()["status"]) == (503, "degraded")
    assert [r[:32] for r in answer.json()["reasons"]] == ["The oldest new event has waited "]


def test_healthz_does_not_count_events_held_for_a_retry(client, db, make_source, settings):
    _beat_all()
    settings.HEALTH_EVENT_BACKLOG_SECONDS = 30
    source, _key = make_source()
    now = timezone.now()
    _event(source, timedelta(minutes=9), retry_at=now + timedelta(minutes=2))
    due = _event(source, timedelta(minutes=10), retry_at=now - timedelta(seconds=5))
    assert client.get("/healthz").status_code == 200  # due again 5 s ago: not behind yet

    Event.objects.filter(pk=due.pk).update(retry_at=now - timedelta(seconds=45))

    assert client.get("/healthz").json()["oldest_unprocessed_event_seconds"] >= 45


def test_a_cluster_that_never_beat_makes_healthz_503(client, db):
    _beat_all()
    WorkerHeartbeat.objects.filter(cluster=settings.Q_WAKEUPS_CLUSTER).delete()

    answer = client.get("/healthz")

    assert answer.status_code == 503
    assert answer.json()["reasons"] == [
        f"The worker cluster {settings.Q_WAKEUPS_CLUSTER} has never reported: start "
        "`manage.py workers` (or its own qcluster)."
    ]


def test_the_load_balancer_probe_checks_only_the_web_process(client, db):
    # No cluster has ever beaten: the workers are degraded, the web process is fine.
    answer = client.get("/healthz?web")

    assert (answer.status_code, answer.json()["status"]) == (200, "ok")
    assert client.get("/healthz").status_code == 503


def test_healthz_reports_a_broker_that_does_not_answer(client, db, settings):
    _beat_all()
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1

    answer = client.get("/healthz")

    body = answer.json()
    assert (answer.status_code, body["status"]) == (503, "degraded")
    assert body["broker"]["ok"] is False
    assert body["broker"]["kind"] == "redis"
    assert body["reasons"][0].startswith("The broker (redis) does not answer: ")


def test_healthz_answers_503_when_the_database_is_unreachable():
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "r = Client().get('/healthz', HTTP_HOST='127.0.0.1');"
        "print(r.status_code, r.content.decode())"
    )
    done = _run(code, DEBUG="1", DATABASE_URL="postgres://postgres@127.0.0.1:1/nothing")

    status, body = done.stdout.strip().split(" ", 1)
    assert status == "503", done.stderr
    assert json.loads(body)["database"]["ok"] is False


# --- /metrics -------------------------------------------------------------------------


def _scrape(client, **headers) -> str:
    answer = client.get("/metrics", **headers)
    assert answer.status_code == 200, answer.content
    return answer.content.decode()


def _value(text: str, series: str) -> float:
    for line in text.splitlines():
        if line.startswith(series + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


def test_metrics_count_accepted_and_refused_events(client, api):
    before = _scrape(client)

    assert api.post("track", {"userId": "ada", "event": "Signed Up"}).status_code == 200
    batch = {"batch": [{"type": "track", "userId": "bo", "event": "X"}, {"type": "nope"}]}
    assert api.post("batch", batch).status_code == 200
    assert api.post("track", {"userId": "ada", "event": "X"}, key="wrong").status_code == 401

    after = _scrape(client)
    accepted = "stepwise_events_accepted_total"
    assert _value(after, accepted) - _value(before, accepted) == 2
    refused = 'stepwise_events_refused_total{reason="unauthorized"}'
    assert _value(after, refused) - _value(before, refused) == 1
    assert "stepwise_oldest_unprocessed_event_seconds" in after
    assert 'stepwise_worker_heartbeat_age_seconds{cluster="' in after


def test_metrics_need_the_token_once_one_is_set(client, db, settings):
    settings.METRICS_TOKEN = "scrape-me"

    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert "stepwise_events_accepted_total" in _scrape(
        client, HTTP_AUTHORIZATION="Bearer scrape-me"
    )


def test_metrics_without_a_token_refuse_clients_behind_a_proxy(client, db, settings):
    settings.DEBUG = False
    assert client.get("/metrics", HTTP_X_FORWARDED_FOR="203.0.113.9").status_code == 403
    assert client.get("/metrics", REMOTE_ADDR="203.0.113.9").status_code == 403


# --- Deploy hardening ------------------------------------------------------------------


def test_check_deploy_passes_with_the_production_environment(tmp_path):
    done = subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))},
            **PRODUCTION,
            "STEPWISE_VAR_DIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 0, done.stderr + done.stdout


def test_an_https_public_url_turns_on_hsts_and_the_redirect_each_overridable(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    )
    var = {"STEPWISE_VAR_DIR": str(tmp_path)}

    assert _run(show, **PRODUCTION, **var).stdout.split() == ["31536000", "True", "True"]
    overridden = _run(show, **PRODUCTION, **var, SECURE_SSL_REDIRECT="0", SECURE_HSTS_SECONDS="60")
    assert overridden.stdout.split() == ["60", "False", "True"]
    plain = _run(show, DEBUG="1", PUBLIC_URL="http://127.0.0.1:8000", **var)
    assert plain.stdout.split() == ["0", "False", "False"]


def test_every_page_carries_the_content_security_policy(client, db):
    for path in ("/admin/login/", "/unsubscribe/test/", "/healthz"):
        policy = client.get(path)["Content-Security-Policy"]
        assert "script-src 'self'" in policy, path
        assert "frame-ancestors 'none'" in policy
        assert "unsafe-eval" not in policy


def test_pages_with_personal_data_are_not_stored_by_browsers(client, admin_client):
    assert "no-store" in client.get("/unsubscribe/not-a-token/")["Cache-Control"]
    assert "no-store" in admin_client.get("/admin/")["Cache-Control"]
    assert "no-store" in admin_client.get("/admin/builder/")["Cache-Control"]


# --- Logs -----------------------------------------------------------------------------


@pytest.mark.parametrize("log_format", ["json", "plain"])
def test_log_format_json_writes_one_object_per_line(log_format, tmp_path):
    code = (
        "import django, logging; django.setup();"
        "logging.getLogger('journeys.test').warning('events.kick_failed', extra={'count': 3})"
    )
    done = _run(code, DEBUG="1", LOG_FORMAT=log_format, STEPWISE_VAR_DIR=str(tmp_path))

    line = done.stderr.strip().splitlines()[-1]
    if log_format == "plain":
        assert "WARNING journeys.test events.kick_failed" in line
        return
    record = json.loads(line)
    assert record["level"] == "WARNING"
    assert record["logger"] == "journeys.test"
    assert record["message"] == "events.kick_failed"
    assert record["count"] == 3


def test_an_esp_timeout_from_the_environment_becomes_seconds(tmp_path):
    show = (
        "import django; django.setup(); from django.conf import settings as s;"
        "print(repr(s.ANYMAIL['REQUESTS_TIMEOUT']))"
    )
    var = {"DEBUG": "1", "STEPWISE_VAR_DIR": str(tmp_path)}

    assert _run(show, **var, ANYMAIL_REQUESTS_TIMEOUT="5").stdout.strip() == "5.0"
    assert _run(show, **var, ANYMAIL_REQUESTS_TIMEOUT="3.05,27").stdout.strip() == "(3.05, 27.0)"
