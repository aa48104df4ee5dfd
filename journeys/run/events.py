"""Event ingest: make every accepted message durable, and leave the rest to the worker."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import connection, transaction

from journeys.models import Contact, Event
from journeys.models.event_sql import insert_known_user_events, is_fast
from journeys.people.ingest import Incoming
from journeys.run.contacts import (
    contact_alias,
    contact_apply_group,
    contact_apply_traits,
    contact_link_anonymous,
    contacts_resolve,
)
from journeys.run.kicks import kick_event_processing
from journeys.run.privacy import erased_opt_outs_apply

_PROFILE_TYPES = {"identify", "group"}


def event_ingest(*, source_id: int, messages: Sequence[Incoming], received_at: datetime) -> int:
    """Store the messages (once per messageId) and update contacts; return how many
    were new. Committed before the caller answers; journey evaluation happens later."""
    if not messages:
        return 0
    stored = 0
    rest = list(messages)
    if connection.vendor == "postgresql":
        simple = [m for m in messages if is_fast(m)]
        rest = [m for m in messages if not is_fast(m)]
        if simple:
            count, unplaced = insert_known_user_events(
                source_id=source_id, messages=simple, received_at=received_at
            )
            stored += count
            rest += unplaced
    if rest:
        stored += _ingest_with_orm(source_id=source_id, messages=rest, received_at=received_at)
    else:
        transaction.on_commit(kick_event_processing)
    return stored


@transaction.atomic
def _ingest_with_orm(*, source_id: int, messages: Sequence[Incoming], received_at: datetime) -> int:
    """The general path: anonymous ids, merges, traits; one transaction."""
    resolved = contacts_resolve(messages=messages, source_id=source_id, now=received_at)
    merged: dict[int, int] = {}
    contact_ids = [_contact_for(m, resolved, merged, source_id, received_at) for m in messages]
    contact_ids = [_follow(merged, contact_id) for contact_id in contact_ids]
    _apply_profiles(messages, contact_ids)
    created = Event.objects.bulk_create(
        [
            Event(
                source_id=source_id,
                contact_id=contact_id,
                type=m.type,
                name=m.name,
                properties=m.properties,
                context=m.context,
                message_id=m.message_id,
                timestamp=m.timestamp,
                received_at=received_at,
            )
            for m, contact_id in zip(messages, contact_ids, strict=True)
        ],
        ignore_conflicts=True,
    )
    transaction.on_commit(kick_event_processing)
    return len(created)


def _follow(merged: dict[int, int], contact_id: int) -> int:
    while contact_id in merged:
        contact_id = merged[contact_id]
    return contact_id


def _contact_for(
    message: Incoming,
    resolved: dict[tuple[str, str], int],
    merged: dict[int, int],
    source_id: int,
    now: datetime,
) -> int:
    """The message's contact; merges done on the way are recorded in `merged` (old → new)."""
    if message.type == "alias":
        contact_id, gone = contact_alias(
            previous_id=message.previous_id or "",
            user_id=message.user_id or "",
            source_id=source_id,
            now=now,
        )
    elif message.user_id:
        contact_id = _follow(merged, resolved[("user", message.user_id)])
        gone = None
        if message.anonymous_id:
            owner = resolved.get(("anon", message.anonymous_id))
            gone = contact_link_anonymous(
                contact_id=contact_id,
                anonymous_id=message.anonymous_id,
                known_owner=None if owner is None else _follow(merged, owner),
            )
            resolved[("anon", message.anonymous_id)] = contact_id
    else:
        return _follow(merged, resolved[("anon", message.anonymous_id or "")])
    if gone is not None:
        merged[gone] = contact_id
    if message.user_id:
        resolved[("user", message.user_id)] = contact_id
    return contact_id


def _apply_profiles(messages: Sequence[Incoming], contact_ids: list[int]) -> None:
    """Apply identify traits and group memberships in message order, one save per contact."""
    wanted = {cid for m, cid in zip(messages, contact_ids, strict=True) if m.type in _PROFILE_TYPES}
    if not wanted:
        return
    contacts = Contact.objects.select_for_update().in_bulk(wanted)
    for message, contact_id in zip(messages, contact_ids, strict=True):
        contact = contacts.get(contact_id)
        if contact is None or message.type not in _PROFILE_TYPES:
            continue
        if message.type == "identify":
            contact_apply_traits(contact=contact, message=message)
        else:
            contact_apply_group(contact=contact, message=message)
    for contact in contacts.values():
        contact.save()
    erased_opt_outs_apply(contacts=list(contacts.values()))
