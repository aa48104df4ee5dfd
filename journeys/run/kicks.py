"""The API's nudge to the events cluster: new events are stored, process them soon."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django_q.tasks import async_task

logger = logging.getLogger(__name__)

KICK_WINDOW = 1
_KICK_KEY = "journeys:events-kick"


def kick_event_processing() -> None:
    """Ask the events cluster to process new events, at most about once a second per cache.

    Best effort: the events are already stored, so when the cache or the broker is down the
    API still acknowledges them and the events cluster's minute sweep catches up."""
    try:
        if cache.add(_KICK_KEY, 1, timeout=KICK_WINDOW):
            async_task(
                "journeys.tasks.process_pending_events",
                cluster=settings.Q_EVENTS_CLUSTER,
                q_options={"save": False},
            )
    except Exception:  # noqa: BLE001 - Redis, the ORM broker: any outage must not refuse events
        logger.warning("events.kick_failed", exc_info=True)
