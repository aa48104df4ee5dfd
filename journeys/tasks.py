"""django-q2 entry points. Thin: each claims work and hands it to services.

The event table is the durable queue: a task that dies leaves its events unprocessed and
the next run (or the minute sweep) takes them again."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from django_q.tasks import async_task

from journeys.locks import claim_pending_events, lock_contacts
from journeys.models import Contact, Event
from journeys.services.bulk import update_rows
from journeys.services.catalogue import catalogue_record
from journeys.services.enrollments import enrollments_handle_events, enrollments_wake_due

logger = logging.getLogger(__name__)

EVENT_BATCH_SIZE = 500
KICK_WINDOW = 1
LINGER_POLL_SECONDS = 0.05
# Well under the cluster's task timeout (120 s), so a busy run is never killed mid-batch.
MAX_RUN_SECONDS = 60
_KICK_KEY = "journeys:events-kick"


def kick_event_processing() -> None:
    """Ask the worker to process new events, at most about once a second per cache."""
    if cache.add(_KICK_KEY, 1, timeout=KICK_WINDOW):
        async_task("journeys.tasks.process_pending_events", q_options={"save": False})


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
        handled = _process_batch(batch_size)
        total += handled
        if handled:
            quiet_until = time.monotonic() + linger
        if handled == batch_size:
            continue
        if time.monotonic() >= min(quiet_until, deadline):
            break
        time.sleep(LINGER_POLL_SECONDS)
    return total


@transaction.atomic
def _process_batch(batch_size: int) -> int:
    events = claim_pending_events(limit=batch_size)
    if not events:
        return 0
    now = timezone.now()
    # Contacts are locked in id order before anything else (see journeys.locks): two workers
    # never advance the same contact at once, and never wait on each other in a cycle.
    contacts = lock_contacts(contact_ids={event.contact_id for event in events})
    enrollments_handle_events(events=events, now=now, contacts=contacts)
    _touch_contacts(contacts, events)
    # Last, and sorted by key: catalogue rows are shared by every batch, so they are locked
    # in one order and held for as short a time as possible.
    events.sort(key=lambda event: (event.source_id, event.type, event.name, event.pk))
    identified = {pk for pk, contact in contacts.items() if contact.user_id}
    catalogue_record(events=events, identified_contact_ids=identified)
    Event.objects.filter(pk__in=[event.pk for event in events]).update(processed_at=now)
    logger.info("events.processed", extra={"count": len(events)})
    return len(events)


def _touch_contacts(contacts: dict[int, Contact], events: list[Event]) -> None:
    changed: dict[int, Contact] = {}
    for event in events:
        contact = contacts.get(event.contact_id)
        if contact is not None and event.received_at > contact.last_seen_at:
            contact.last_seen_at = event.received_at
            changed[contact.pk] = contact
    if changed:
        update_rows(Contact, [changed[pk] for pk in sorted(changed)], ["last_seen_at"])


def sweep() -> None:
    """The minute schedule: catch up on events and wake due enrollments."""
    process_pending_events()
    enrollments_wake_due(now=timezone.now())
