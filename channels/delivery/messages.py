"""Services that move a Message through its statuses, always with a history row."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from channels import conf
from channels.delivery.rules import after_quiet_hours
from channels.delivery.subscriptions import subscription_set
from channels.delivery.suppression import SUPPRESSING, address_suppress
from channels.delivery.wanted import still_wanted
from channels.models import Message, MessageStatusChange
from channels.registry import subscription_of
from channels.rendering import RenderedMessage
from journeys.core.zones import zone_for
from journeys.models import Contact

logger = logging.getLogger(__name__)
S = Message.Status

# Status only moves up this ladder; a late event is kept in history but does not apply.
# "failed" sits above "sent" because a provider can fail a message it first accepted.
RANK: dict[str, int] = {
    S.QUEUED: 0,
    S.SENT: 1,
    S.SUPPRESSED: 2,
    S.CANCELLED: 2,
    S.FAILED: 2,
    S.DELIVERED: 3,
    S.OPENED: 4,
    S.CLICKED: 5,
    S.BOUNCED: 6,
    S.COMPLAINED: 7,
    S.UNSUBSCRIBED: 7,
}
_TIMESTAMP_FIELD: dict[str, str] = {
    S.SENT: "sent_at",
    S.DELIVERED: "delivered_at",
    S.OPENED: "opened_at",
    S.CLICKED: "clicked_at",
}
INTERRUPTED = "the send attempt was interrupted; not retried so it is never sent twice"
STOPS_CHANNEL = {S.BOUNCED, S.COMPLAINED, S.UNSUBSCRIBED}
# Longer than a delivery task can run (CHANNELS_BATCH_SECONDS plus one slow HTTP call);
# see message_claim.
CLAIM_SECONDS = 300


def _record(
    message: Message, status: str, *, now: datetime, occurred_at: datetime | None, detail: str
) -> bool:
    """Write the history row and move the status if it goes forward. Caller holds the lock."""
    applies = RANK[status] > RANK[message.status] or (
        message.status == S.QUEUED and status == S.QUEUED
    )
    MessageStatusChange.objects.create(
        message=message,
        from_status=message.status,
        to_status=status,
        applied=applies,
        detail=detail[:500],
        occurred_at=occurred_at or now,
        recorded_at=now,
    )
    if not applies:
        return False
    fields = ["status", "updated_at"]
    message.status = status
    stamp = _TIMESTAMP_FIELD.get(status)
    if stamp and getattr(message, stamp) is None:
        setattr(message, stamp, occurred_at or now)
        fields.append(stamp)
    message.save(update_fields=fields)
    return True


def messages_create(*, now: datetime, messages: Sequence[tuple[Message, str]]) -> None:
    """Insert unsaved Messages (each with its first history detail) in two statements.

    Afterwards every message has its pk (bulk inserts return ids on SQLite and PostgreSQL)."""
    if not messages:
        return
    Message.objects.bulk_create([message for message, _ in messages])
    MessageStatusChange.objects.bulk_create(
        MessageStatusChange(
            message=message,
            from_status="",
            to_status=message.status,
            detail=detail[:500],
            occurred_at=now,
            recorded_at=now,
        )
        for message, detail in messages
    )


def message_claim(*, message_id: int, now: datetime) -> bool:
    """Claim one due, queued message for a send attempt, right before it is sent, if its
    journey still wants it (channels.wanted); True when this worker got it.

    The guarded UPDATE is both the lock and the check, the same on SQLite and PostgreSQL:
    a message another worker claimed, one cancelled meanwhile, or one whose enrollment
    reached its goal or left is not claimed. A claim that expires without an outcome is
    never re-claimed (message_fail_interrupted), so a message the provider may have
    accepted is not sent twice.
    """
    claimed = (
        Message.objects.filter(
            pk=message_id, status=S.QUEUED, scheduled_for__lte=now, claimed_until__isnull=True
        )
        .filter(still_wanted())
        .update(
            claimed_until=now + timedelta(seconds=CLAIM_SECONDS),
            claim_token=uuid.uuid4(),
            attempts=F("attempts") + 1,
            updated_at=now,
        )
    )
    return claimed == 1


def messages_due(*, message_ids: Sequence[int], now: datetime) -> list[Message]:
    """The queued, due and unclaimed messages among message_ids, oldest first."""
    return list(
        Message.objects.select_related("contact")
        .filter(
            pk__in=message_ids, status=S.QUEUED, scheduled_for__lte=now, claimed_until__isnull=True
        )
        .order_by("pk")
    )


def _store_rendered(message: Message, rendered: RenderedMessage | None) -> list[str]:
    if rendered is None:
        return []
    message.subject, message.preheader = rendered.subject, rendered.preheader
    message.body, message.html, message.url = rendered.text, rendered.html, rendered.url
    return ["subject", "preheader", "body", "html", "url"]


@dataclass(frozen=True)
class Accepted:
    """A provider took a message: what it answered and what was sent."""

    message_id: int
    provider_id: str
    status: str
    to_address: str
    rendered: RenderedMessage


@transaction.atomic
def message_mark_sent_many(*, accepted: Sequence[Accepted], now: datetime) -> None:
    """Providers accepted these messages: store what was sent, release the claims, and
    move each to its status ("sent", or "delivered" for in-app), with history rows."""
    history: list[MessageStatusChange] = []
    for item in accepted:
        if _moved_from_queued(item, now):
            history += _sent_history(item, now)
        else:
            _mark_sent_overtaken(item, now)
    MessageStatusChange.objects.bulk_create(history)


def _moved_from_queued(item: Accepted, now: datetime) -> bool:
    """One guarded UPDATE while the message is still queued (the common case)."""
    if item.status not in (S.SENT, S.DELIVERED):
        return False
    stamps = {"delivered_at": now} if item.status == S.DELIVERED else {}
    rendered = item.rendered
    return bool(
        Message.objects.filter(pk=item.message_id, status=S.QUEUED).update(
            status=item.status,
            sent_at=now,
            **stamps,
            updated_at=now,
            provider_id=item.provider_id,
            to_address=item.to_address,
            claimed_until=None,
            last_error="",
            subject=rendered.subject,
            preheader=rendered.preheader,
            body=rendered.text,
            html=rendered.html,
            url=rendered.url,
        )
    )


def _sent_history(item: Accepted, now: datetime) -> list[MessageStatusChange]:
    rows = [
        MessageStatusChange(
            message_id=item.message_id,
            from_status=S.QUEUED,
            to_status=S.SENT,
            detail=f"accepted as {item.provider_id}"[:500],
            occurred_at=now,
            recorded_at=now,
        )
    ]
    if item.status == S.DELIVERED:
        rows.append(
            MessageStatusChange(
                message_id=item.message_id,
                from_status=S.SENT,
                to_status=S.DELIVERED,
                occurred_at=now,
                recorded_at=now,
            )
        )
    return rows


def _mark_sent_overtaken(item: Accepted, now: datetime) -> None:
    """A tracking event overtook the send (or the status is unusual): record it carefully,
    under the row lock, so the status never moves backwards."""
    message = Message.objects.select_for_update().get(pk=item.message_id)
    fields = _store_rendered(message, item.rendered)
    message.provider_id, message.to_address = item.provider_id, item.to_address
    message.claimed_until, message.last_error = None, ""
    message.save(
        update_fields=[*fields, "provider_id", "to_address", "claimed_until", "last_error"]
    )
    _record(message, S.SENT, now=now, occurred_at=None, detail=f"accepted as {item.provider_id}")
    if item.status != S.SENT:
        _record(message, item.status, now=now, occurred_at=None, detail="")


@transaction.atomic
def message_retry_later(
    *, message_id: int, error: str, now: datetime, retry_after: float | None = None
) -> Message:
    """A transient failure: back off exponentially (never sooner than the provider's
    Retry-After), or fail once attempts run out."""
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.attempts >= conf.max_attempts():
        return _fail(message, f"gave up after {message.attempts} attempts: {error}", now=now)
    # 1, 2, 4, 8… times the base delay, so a provider outage is not hammered.
    delay = timedelta(seconds=conf.retry_base_seconds() * 2 ** (message.attempts - 1))
    delay = max(delay, timedelta(seconds=retry_after or 0))
    retry_at = _after_quiet_hours(message, now + delay)
    message.scheduled_for, message.claimed_until, message.last_error = retry_at, None, error
    message.save(update_fields=["scheduled_for", "claimed_until", "last_error", "updated_at"])
    detail = (
        f"attempt {message.attempts} failed, retry at {message.scheduled_for:%H:%M:%S}: {error}"
    )
    _record(message, S.QUEUED, now=now, occurred_at=None, detail=detail)
    return message


def _after_quiet_hours(message: Message, at: datetime) -> datetime:
    """A retry must not land in the contact's quiet hours either."""
    quiet = conf.quiet_hours(message.channel)
    if quiet is None or message.is_test:
        return at
    contact = Contact.objects.select_related("source").get(pk=message.contact_id)
    return after_quiet_hours(at, contact_zone(contact), quiet.start, quiet.end)


def contact_zone(contact: Contact) -> ZoneInfo:
    """The contact's time zone, else its source's, else settings.TIME_ZONE."""
    source_zone = contact.source.timezone if contact.source else ""
    return zone_for(contact.timezone, source_zone, conf.default_time_zone())


def _fail(
    message: Message, error: str, *, now: datetime, rendered: RenderedMessage | None = None
) -> Message:
    fields = _store_rendered(message, rendered)
    message.claimed_until, message.last_error, message.status_reason = None, error, error[:500]
    message.save(update_fields=[*fields, "claimed_until", "last_error", "status_reason"])
    _record(message, S.FAILED, now=now, occurred_at=None, detail=error)
    return message


@transaction.atomic
def message_fail(
    *, message_id: int, error: str, now: datetime, rendered: RenderedMessage | None = None
) -> Message:
    """A permanent failure: mark failed with the provider's (or renderer's) words."""
    message = Message.objects.select_for_update().get(pk=message_id)
    return _fail(message, error, now=now, rendered=rendered)


@transaction.atomic
def message_suppress(*, message_id: int, reason: str, now: datetime) -> Message:
    """Eligibility failed at send time: record the message as suppressed, with why."""
    message = Message.objects.select_for_update().get(pk=message_id)
    message.claimed_until, message.status_reason = None, reason[:500]
    message.save(update_fields=["claimed_until", "status_reason"])
    _record(message, S.SUPPRESSED, now=now, occurred_at=None, detail=reason)
    return message


def message_fail_interrupted(*, now: datetime) -> int:
    """Fail messages whose send attempt died mid-way; whether the provider got them is
    unknown, and sending again could deliver twice."""
    stale = Message.objects.filter(status=S.QUEUED, claimed_until__lt=now).values_list(
        "pk", flat=True
    )
    failed = 0
    for message_id in list(stale[:500]):
        with transaction.atomic():
            message = Message.objects.select_for_update().get(pk=message_id)
            # Re-checked under the lock: the worker may have finished in the meantime.
            if message.status == S.QUEUED and message.claimed_until and message.claimed_until < now:
                _fail(message, INTERRUPTED, now=now)
                failed += 1
    return failed


@transaction.atomic
def message_track(
    *,
    status: str,
    message_id: int | None = None,
    provider_id: str = "",
    occurred_at: datetime | None = None,
    detail: str = "",
    now: datetime | None = None,
) -> Message | None:
    """Apply a provider's tracking event; bounces, complaints and unsubscribes also stop
    the channel for the contact. Returns None when no message matches."""
    now = now or timezone.now()
    if message_id is None and not provider_id:
        return None
    lookup = Q(pk=message_id) if message_id is not None else Q(provider_id=provider_id)
    message = Message.objects.select_for_update().filter(lookup).first()
    if message is None:
        logger.warning("message.track.unknown", extra={"provider_id": provider_id})
        return None
    if provider_id and not message.provider_id:
        message.provider_id = provider_id
        message.save(update_fields=["provider_id"])
    _record(message, status, now=now, occurred_at=occurred_at, detail=detail)
    subscription = subscription_of(message.channel)
    if status in SUPPRESSING and not message.is_test and message.to_address:
        address_suppress(
            channel=message.channel,
            address=message.to_address,
            reason=status,
            detail=detail or f"{status} on message {message.pk}",
            now=now,
        )
    if status in STOPS_CHANNEL and not message.is_test and subscription is not None:
        subscription_set(
            contact_id=message.contact_id,
            channel=subscription,
            state=status,
            reason=(detail or f"{status} on message {message.pk}")[:255],
            now=now,
        )
    return message


@transaction.atomic
def message_mark_read(*, message_id: int, now: datetime | None = None) -> Message:
    """An in-app message was read in the inbox: stamp read_at and move it to opened."""
    now = now or timezone.now()
    message = Message.objects.select_for_update().get(pk=message_id)
    if message.read_at is None:
        message.read_at = now
        message.save(update_fields=["read_at"])
        _record(message, S.OPENED, now=now, occurred_at=now, detail="read in the inbox")
    return message
