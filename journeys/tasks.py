"""django-q2 entry points. Thin: each claims work and hands it to services.

The event table is the durable queue: a task that dies leaves its events unprocessed and
the next run (or the minute sweep) takes them again."""

from __future__ import annotations

import logging

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from journeys.locks import claim_pending_events
from journeys.models import Contact, Event
from journeys.services.catalogue import catalogue_record
from journeys.services.enrollments import enrollments_handle_events, enrollments_wake_due

logger = logging.getLogger(__name__)

EVENT_BATCH_SIZE = 500
_KICK_KEY = "journeys:events-kick"


def kick_event_processing() -> None:
    """Ask the worker to process new events, at most about once a second per cache."""
    if cache.add(_KICK_KEY, 1, timeout=1):
        async_task("journeys.tasks.process_pending_events", q_options={"save": False})


def process_pending_events(*, batch_size: int = EVENT_BATCH_SIZE, max_batches: int = 200) -> int:
    """Process new events in batches until none are left; return how many were processed."""
    total = 0
    for _ in range(max_batches):
        handled = _process_batch(batch_size)
        total += handled
        if handled < batch_size:
            break
    return total


@transaction.atomic
def _process_batch(batch_size: int) -> int:
    events = claim_pending_events(limit=batch_size)
    if not events:
        return 0
    now = timezone.now()
    contact_ids = {event.contact_id for event in events}
    identified = set(
        Contact.objects.filter(pk__in=contact_ids, user_id__isnull=False).values_list(
            "pk", flat=True
        )
    )
    catalogue_record(events=events, identified_contact_ids=identified)
    _touch_contacts(events)
    enrollments_handle_events(events=events, now=now)
    Event.objects.filter(pk__in=[event.pk for event in events]).update(processed_at=now)
    logger.info("events.processed", extra={"count": len(events)})
    return len(events)


def _touch_contacts(events: list[Event]) -> None:
    latest: dict[int, object] = {}
    for event in events:
        seen = latest.get(event.contact_id)
        if seen is None or event.received_at > seen:
            latest[event.contact_id] = event.received_at
    for contact_id, seen in latest.items():
        Contact.objects.filter(pk=contact_id, last_seen_at__lt=seen).update(last_seen_at=seen)


def sweep() -> None:
    """The minute schedule: catch up on events and wake due enrollments."""
    process_pending_events()
    enrollments_wake_due(now=timezone.now())
