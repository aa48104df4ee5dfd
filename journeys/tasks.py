"""django-q2 entry points. Thin: each claims work and hands it to services.

The event table is the durable queue: a task that dies leaves its events unprocessed and
the next run (or the minute sweep) takes them again."""

from __future__ import annotations

import logging
import os
import socket
import time

from django.utils import timezone
from django_q.conf import Conf

from journeys.models import WorkerHeartbeat
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.kicks import KICK_WINDOW
from journeys.run.processing import events_process_batch, watched_events_waiting

logger = logging.getLogger(__name__)

EVENT_BATCH_SIZE = 500
FAST_BATCH_SIZE = 100  # events of contacts with the chat open, taken before each batch
LINGER_POLL_SECONDS = 0.05
# Well under the cluster's task timeout (120 s), so a busy run is never killed mid-batch.
MAX_RUN_SECONDS = 60


def process_pending_events(
    *,
    batch_size: int = EVENT_BATCH_SIZE,
    max_batches: int = 200,
    linger: float = KICK_WINDOW + 0.1,
) -> int:
    """Process new events in batches until none are left; return how many were processed.

    After handling events it keeps polling for `linger` seconds: events that arrive while
    kicks are throttled (KICK_WINDOW) would otherwise wait for the minute sweep."""
    total = 0
    deadline = time.monotonic() + MAX_RUN_SECONDS
    quiet_until = 0.0
    for _ in range(max_batches):
        # Before each batch from the queue's head: the events of contacts with the chat
        # open, so a backlog delays the bot's answer by one batch at most.
        fast = (
            events_process_batch(batch_size=FAST_BATCH_SIZE, watched_only=True)
            if watched_events_waiting()
            else 0
        )
        handled = events_process_batch(batch_size=batch_size)
        total += fast + handled
        if fast or handled:
            quiet_until = time.monotonic() + linger
        if handled == batch_size:
            continue
        if time.monotonic() >= min(quiet_until, deadline):
            break
        time.sleep(LINGER_POLL_SECONDS)
    return total


# A sweep stops starting batches after this long, so a backlog can never hold a worker
# past the cluster's task timeout; the next minute's sweep goes on where it stopped.
SWEEP_SECONDS = 45


def sweep_events() -> int:
    """Every minute, on the events cluster: events that no kick reached (broker down, kick
    throttled, a worker killed mid-batch)."""
    return process_pending_events(linger=0)


def sweep_wakeups() -> int:
    """Every minute, on the wake-ups cluster: enrollments whose timers are due."""
    return enrollments_wake_due(now=timezone.now(), deadline=time.monotonic() + SWEEP_SECONDS)


def heartbeat() -> None:
    """Every minute on each cluster: proof that its workers take work (GET /healthz)."""
    WorkerHeartbeat.objects.update_or_create(
        cluster=Conf.CLUSTER_NAME,
        defaults={"host": socket.gethostname(), "pid": os.getpid(), "beat_at": timezone.now()},
    )
