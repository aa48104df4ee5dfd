"""Privacy requests: export all Stepwise holds about a person, or erase it.

Erasure keeps the contact's row as an anonymous tombstone (no id, no traits, no address),
with its enrollments and step visits and its messages' statuses, so funnel and delivery
counts do not change; it deletes events, traces, aliases and what messages said. An
address that had opted out is kept as a hash (ErasedAddress), so the opt-out survives a
re-import. See docs/security.md."""

from __future__ import annotations

import hashlib
from typing import Any

from django.db import transaction
from django.utils import timezone

from channels.chat.lines import chat_export
from channels.delivery.privacy import channels_export, messages_erase, messages_export
from channels.registry import all_channels, get_channel
from journeys.models import (
    Contact,
    ContactAlias,
    ContactProblem,
    DecisionTrace,
    Enrollment,
    ErasedAddress,
    Event,
    Subscription,
)
from journeys.people.audit import audit_record
from journeys.people.sources import Actor
from journeys.run.profiles import contact_profile
from journeys.run.rollups import enrollments_end_open

_OPTED_OUT = {
    Subscription.State.UNSUBSCRIBED,
    Subscription.State.BOUNCED,
    Subscription.State.COMPLAINED,
}


def _address_fields() -> dict[str, str]:
    """Subscription → the contact field holding its address, for the channels whose
    address is one field of the contact (an opt-out survives erasure through it)."""
    return {
        channel.subscription: channel.contact_field
        for channel in all_channels()
        if channel.subscription and channel.contact_field
    }


class ContactNotFound(LookupError):
    pass


def address_hash(channel: str, address: str) -> str:
    """The only trace of an erased address: SHA-256 of the channel and the address."""
    found = get_channel(channel)
    normalised = found.normalised(address) if found is not None else address.strip()
    return hashlib.sha256(f"{channel}:{normalised}".encode()).hexdigest()


def _live_contact(user_id: str) -> Contact:
    contact = Contact.objects.filter(user_id=user_id, erased_at__isnull=True).first()
    if contact is None:
        raise ContactNotFound(f"No contact with user_id {user_id!r}.")
    return contact


def contact_export(*, user_id: str, by: Actor = None, actor_label: str = "") -> dict[str, Any]:
    """Everything held about one person, as JSON-ready data; the export is audited."""
    contact = _live_contact(user_id)
    profile = contact_profile(user_id=user_id) or {}
    events = Event.objects.filter(contact=contact).order_by("timestamp", "id")
    document = {
        **profile,
        "anonymous_ids": sorted(contact.aliases.values_list("anonymous_id", flat=True)),
        "groups": contact.groups,
        "first_seen_at": contact.first_seen_at,
        "last_seen_at": contact.last_seen_at,
        "events": [
            {
                "type": e.type,
                "event": e.name,
                "timestamp": e.timestamp,
                "properties": e.properties,
                "context": e.context,
            }
            for e in events
        ],
        "messages": messages_export(contact_id=contact.pk),
        "chat": chat_export(contact_id=contact.pk),
        **channels_export(contact_id=contact.pk),
        "decisions": list(
            DecisionTrace.objects.filter(contact=contact)
            .order_by("at", "id")
            .values("at", "code", "message")
        ),
        "problems": list(
            ContactProblem.objects.filter(contact=contact)
            .order_by("first_at", "id")
            .values("first_at", "last_at", "event_name", "step_key", "reason", "attempts")
        ),
    }
    document.pop("recent_events", None)
    audit_record(
        action="contact.exported",
        summary=f"Exported contact #{contact.pk}",
        by=by,
        actor_label=actor_label,
        diff={"contact_id": contact.pk, "events": len(document["events"])},
    )
    return document


@transaction.atomic
def contact_erase(*, contact: Contact, by: Actor = None, actor_label: str = "") -> dict[str, int]:
    """Erase one person; return what was removed. Idempotent on an erased contact."""
    contact = Contact.objects.select_for_update().get(pk=contact.pk)
    if contact.erased_at is not None:
        return {}
    _keep_opt_outs(contact)
    now = timezone.now()
    removed = {
        "events": Event.objects.filter(contact=contact).delete()[0],
        "traces": DecisionTrace.objects.filter(contact=contact).delete()[0],
        "problems": ContactProblem.objects.filter(contact=contact).delete()[0],
        "anonymous_ids": ContactAlias.objects.filter(contact=contact).delete()[0],
        "subscriptions": Subscription.objects.filter(contact=contact).delete()[0],
        "messages": messages_erase(contact_id=contact.pk),
    }
    ending = Enrollment.objects.filter(contact=contact, state__in=Enrollment.OPEN_STATES)
    enrollments_end_open(
        enrollment_ids=list(ending.values_list("pk", flat=True)), outcome="erased", now=now
    )
    ending.update(state=Enrollment.State.EXITED, wake_at=None, finished_at=now, updated_at=now)
    Enrollment.objects.filter(contact=contact).update(
        last_event_data={}, events_data={}, trigger_data={}
    )
    for name in ("email", "phone", "first_name", "last_name", "timezone", "locale"):
        setattr(contact, name, "")
    contact.user_id, contact.traits, contact.groups, contact.erased_at = None, {}, {}, now
    contact.save()
    audit_record(
        action="contact.erased",
        summary=f"Erased contact #{contact.pk} (events, messages, traces, anonymous ids)",
        by=by,
        actor_label=actor_label,
        diff={"contact_id": contact.pk, **removed},
    )
    return removed


def contact_erase_by_user_id(*, user_id: str, by: Actor = None, actor_label: str = "") -> dict:
    return contact_erase(contact=_live_contact(user_id), by=by, actor_label=actor_label)


def _keep_opt_outs(contact: Contact) -> None:
    for sub in Subscription.objects.filter(contact=contact, state__in=_OPTED_OUT):
        field = _address_fields().get(sub.channel)
        address = getattr(contact, field) if field else ""
        if address:
            ErasedAddress.objects.update_or_create(
                channel=sub.channel,
                address_hash=address_hash(sub.channel, address),
                defaults={"state": sub.state, "erased_at": timezone.now()},
            )


def erased_opt_outs_apply(*, contacts: list[Contact]) -> int:
    """Re-apply an erased person's opt-out to a contact that has their address again."""
    wanted = {
        (channel, address_hash(channel, getattr(c, field))): c.pk
        for c in contacts
        for channel, field in _address_fields().items()
        if getattr(c, field)
    }
    if not wanted:
        return 0
    found = ErasedAddress.objects.filter(address_hash__in={h for _, h in wanted})
    applied = 0
    for erased in found:
        contact_id = wanted.get((erased.channel, erased.address_hash))
        if contact_id is None:
            continue
        _, created = Subscription.objects.get_or_create(
            contact_id=contact_id,
            channel=erased.channel,
            defaults={
                "state": erased.state,
                "reason": "opted out before their data was erased",
                "changed_at": timezone.now(),
            },
        )
        applied += created
    return applied
