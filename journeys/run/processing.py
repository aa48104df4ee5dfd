"""Processing new events: the worker's unit of work, one transaction per batch.

The event table is the durable queue: a batch that dies leaves its events unprocessed and
the next run (or the minute sweep) takes them again."""

from __future__ import annotations

import logging
import time
from collections.abc import Collection
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels.chat.lines import chat_watched
from channels.registry import channels_learn
from journeys.models import Contact, Event
from journeys.models.bulk import update_rows
from journeys.people.catalogue import catalogue_record
from journeys.run.enrollments import enrollments_handle_events
from journeys.run.isolation import events_isolated
from journeys.run.locks import claim_pending_events, lock_contacts
from journeys.run.metrics import ENGINE_BATCH_SECONDS, ENGINE_EVENTS_PROCESSED

logger = logging.getLogger(__name__)


@transaction.atomic
def events_process_batch(*, batch_size: int, watched_only: bool = False) -> int:
    """Claim up to `batch_size` new events and carry them through the engine, the contacts'
    last-seen times and the catalogue, in one transaction; return how many were claimed.
    Events held for a retry (their contact's work failed) stay pending until then.

    `watched_only` takes only the events of contacts whose chat is open right now (the
    fast lane: someone is waiting for the bot's answer), however many others wait."""
    started = time.perf_counter()
    now = timezone.now()
    watched = chat_watched(now=now) if watched_only else None
    events = claim_pending_events(limit=batch_size, now=now, of_contacts=watched)
    if not events:
        return 0
    # Contacts are locked in id order before anything else (see journeys.run.locks): two
    # workers never advance the same contact at once, and never wait on each other in a cycle.
    contacts = lock_contacts(contact_ids={event.contact_id for event in events})
    # One contact's data can hold only that contact's events (run/isolation).
    outcome = events_isolated(events=events, now=now, contacts=contacts, handle=_handle)
    done = outcome.finished
    _touch_contacts(contacts, done)
    # Last, and sorted by key: catalogue rows are shared by every batch, so they are locked
    # in one order and held for as short a time as possible.
    done.sort(key=lambda event: (event.source_id, event.type, event.name, event.pk))
    identified = {pk for pk, contact in contacts.items() if contact.user_id}
    catalogue_record(events=done, identified_contact_ids=identified)
    Event.objects.filter(pk__in=[event.pk for event in done]).update(processed_at=now)
    logger.info("events.processed", extra={"count": len(done), "held": len(outcome.held)})
    ENGINE_BATCH_SECONDS.observe(time.perf_counter() - started)
    ENGINE_EVENTS_PROCESSED.inc(len(done))
    return len(events)


def _handle(
    *,
    events: list[Event],
    now: datetime,
    contacts: dict[int, Contact],
    skip: Collection[tuple[int, int]] = (),
) -> None:
    """Channels first: a device registered by an identify can receive the message a later
    track of the same batch sends. Both inside the per-contact boundary."""
    channels_learn(events)
    enrollments_handle_events(events=events, now=now, contacts=contacts, skip=skip)


def watched_events_waiting() -> bool:
    """Whether contacts with the chat open have events waiting (a read: no transaction, no
    lock, so looking costs the queue nothing when the answer is no)."""
    watched = chat_watched(now=timezone.now())
    return Event.objects.filter(processed_at__isnull=True, contact_id__in=watched).exists()


def _touch_contacts(contacts: dict[int, Contact], events: list[Event]) -> None:
    changed: dict[int, Contact] = {}
    for event in events:
        contact = contacts.get(event.contact_id)
        if contact is not None and event.received_at > contact.last_seen_at:
            contact.last_seen_at = event.received_at
            changed[contact.pk] = contact
    if changed:
        update_rows(Contact, [changed[pk] for pk in sorted(changed)], ["last_seen_at"])
