"""What operators and their monitoring read: GET /healthz and GET /metrics.

Thin views over onboarding.backlog; neither touches the event API's request path."""

from __future__ import annotations

import hmac
import os
from collections.abc import Iterator

import redis
from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from onboarding.backlog import Backlog, backlog_read

_LOOPBACK = {"127.0.0.1", "::1"}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """200 "ok"; 503 "degraded" with the reasons in words (a broker that does not answer, a
    cluster with no recent heartbeat, events waiting longer than
    HEALTH_EVENT_BACKLOG_SECONDS); 503 "down" when the database is unreachable.

    `?web` checks only this process and its database: what a load balancer should probe, so
    that a stalled worker never takes the event API out of rotation."""
    try:
        if "web" in request.GET:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            return JsonResponse({"status": "ok", "database": {"ok": True}})
        backlog = backlog_read(now=timezone.now())  # its queries are the database check
    except DatabaseError as exc:
        body = {"status": "down", "database": {"ok": False, "error": _first_line(exc)}}
        return JsonResponse(body, status=503)
    broker = _broker_state()
    stale = settings.HEALTH_HEARTBEAT_STALE_SECONDS
    clusters = {
        name: {"ok": age is not None and age <= stale, "last_heartbeat_seconds_ago": age}
        for name, age in backlog.heartbeats.items()
    }
    reasons = health_reasons(backlog, broker)
    return JsonResponse(
        {
            "status": "degraded" if reasons else "ok",
            "reasons": reasons,
            "database": {"ok": True, "vendor": connection.vendor},
            "broker": broker,
            "clusters": clusters,
            "oldest_unprocessed_event_seconds": round(backlog.oldest_event_seconds, 1),
            "oldest_due_wakeup_seconds": round(backlog.oldest_wakeup_seconds, 1),
            "oldest_due_message_seconds": round(backlog.oldest_message_seconds, 1),
        },
        status=503 if reasons else 200,
    )


def health_reasons(backlog: Backlog, broker: dict[str, object]) -> list[str]:
    """What is wrong, one sentence each, for whoever is paged; empty when all is well."""
    reasons = []
    if not broker["ok"]:
        reasons.append(f"The broker ({broker['kind']}) does not answer: {broker.get('error')}.")
    stale = settings.HEALTH_HEARTBEAT_STALE_SECONDS
    for name, age in backlog.heartbeats.items():
        if age is None:
            reasons.append(
                f"The worker cluster {name} has never reported: start `manage.py workers` "
                "(or its own qcluster)."
            )
        elif age > stale:
            reasons.append(
                f"The worker cluster {name} last reported {age:.0f} seconds ago "
                f"(more than {stale})."
            )
    limit = settings.HEALTH_EVENT_BACKLOG_SECONDS
    if backlog.oldest_event_seconds > limit:
        reasons.append(
            f"The oldest new event has waited {backlog.oldest_event_seconds:.0f} seconds for "
            f"the worker (more than {limit})."
        )
    return reasons


def _broker_state() -> dict[str, object]:
    if not settings.REDIS_URL:
        return {"ok": True, "kind": "database"}  # the ORM broker: the database just answered
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return {"ok": False, "kind": "redis", "error": _first_line(exc)}
    return {"ok": True, "kind": "redis"}


def _first_line(exc: Exception) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]


@require_GET
def metrics(request: HttpRequest) -> HttpResponse:
    if not _may_scrape(request):
        return HttpResponse(
            "Metrics need 'Authorization: Bearer <METRICS_TOKEN>'.\n",
            status=403,
            content_type="text/plain",
        )
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector())
    body = generate_latest(_process_registry()) + generate_latest(backlog)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)


def _may_scrape(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if token:
        presented = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        return hmac.compare_digest(presented.encode(), token.encode())
    if settings.DEBUG:
        return True  # development and `make demo`: the demo's front door is a proxy too
    # No token: only a client on this host that came through no proxy.
    forwarded = "X-Forwarded-For" in request.headers or "Forwarded" in request.headers
    return request.META.get("REMOTE_ADDR") in _LOOPBACK and not forwarded


def _process_registry() -> CollectorRegistry:
    """With PROMETHEUS_MULTIPROC_DIR set (docs/deploy.md), every process of this host (web
    and workers) writes there and one scrape sees them all; otherwise this process only."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    MultiProcessCollector(registry)
    return registry


class BacklogCollector(Collector):
    """Backlog ages, read at scrape time (so every web process reports the same)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        backlog: Backlog = backlog_read(now=timezone.now())
        for name, value, help_text in (
            ("stepwise_oldest_unprocessed_event_seconds", backlog.oldest_event_seconds,
             "Age of the oldest event the engine has not processed yet."),
            ("stepwise_oldest_due_wakeup_seconds", backlog.oldest_wakeup_seconds,
             "How overdue the oldest due timer (delay, wait timeout) is."),
            ("stepwise_oldest_due_message_seconds", backlog.oldest_message_seconds,
             "How overdue the oldest message waiting for delivery is."),
        ):  # fmt: skip
            yield GaugeMetricFamily(name, help_text, value=value)
        beats = GaugeMetricFamily(
            "stepwise_worker_heartbeat_age_seconds",
            "Seconds since each worker cluster last ran its minute heartbeat (-1: never).",
            labels=["cluster"],
        )
        for cluster, age in backlog.heartbeats.items():
            beats.add_metric([cluster], -1 if age is None else age)
        yield beats
