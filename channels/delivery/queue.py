"""The public interface of channels for journeys: queue, preview, validate, test send.
Queueing lives here; the after-commit hand-over to the delivery cluster is
channels.delivery.dispatch, the preview channels.delivery.preview, notes to the team
channels.delivery.team.

Takes and returns dataclasses; journeys imports nothing else from channels but the
registry's facts. See docs/channels.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from channels import conf
from channels.chat.lines import chat_contact_move
from channels.delivery.dispatch import schedule_delivery
from channels.delivery.local import is_local, messages_deliver_local
from channels.delivery.messages import contact_zone, messages_create
from channels.delivery.preview import preview_context, render_preview
from channels.delivery.rules import CAP_WINDOW, send_time
from channels.delivery.sending import address_for
from channels.delivery.subscriptions import opt_out_reasons
from channels.models import Message, SubscriptionChange
from channels.registry import get_channel, validate_content
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    TemplateProblem,
    sms_segments,
)
from journeys.models import Contact

__all__ = [
    "MessageContent",
    "QueuedMessage",
    "RenderedMessage",
    "TemplateProblem",
    "channel_allows",
    "contact_messages_move",
    "MessageRequest",
    "message_queue",
    "message_queue_many",
    "preview_context",
    "render_preview",
    "sms_segments",
    "test_send",
    "validate_content",
]


@dataclass(frozen=True)
class QueuedMessage:
    message_id: int
    status: str  # "queued" or "suppressed" (or the existing message's status on a repeat call)
    scheduled_for: datetime  # when it may be sent (deferred by quiet hours / frequency cap)
    deferred_reason: str  # "" | "quiet_hours" | "frequency_cap"
    suppressed_reason: str  # "" | e.g. "email unsubscribed: one-click unsubscribe 2026-11-25"


def _queued(message: Message) -> QueuedMessage:
    return QueuedMessage(
        message_id=message.pk,
        status=message.status,
        scheduled_for=message.scheduled_for,
        deferred_reason=message.deferred_reason,
        suppressed_reason=message.status_reason if message.status == "suppressed" else "",
    )


def _channel_off_reason(channel: str) -> str:
    """Why nothing can go out on a channel right now ("" when it can)."""
    implementation = get_channel(channel)
    if implementation is None or channel not in conf.enabled_channels():
        return "channel disabled"
    if not implementation.is_available():
        return "channel not configured"
    return ""


def channel_allows(contact_id: int, channel: str) -> tuple[bool, str]:
    """Whether the contact may get messages on the channel now, and if not, why."""
    reason = _channel_off_reason(channel) or opt_out_reasons([(contact_id, channel)]).get(
        (contact_id, channel), ""
    )
    return (not reason, reason)


def _capped_sends(contact_ids: set[int], now: datetime) -> dict[int, list[datetime]]:
    """When each contact's capped messages of the last window go out, in one query."""
    if not conf.frequency_cap():
        return {}
    sends: dict[int, list[datetime]] = {contact_id: [] for contact_id in contact_ids}
    rows = Message.objects.filter(
        contact_id__in=contact_ids,
        channel__in=conf.frequency_cap_channels(),
        is_test=False,
        status__in=["queued", "sent", "delivered", "opened", "clicked"],
        scheduled_for__gt=now - CAP_WINDOW,
    ).values_list("contact_id", "scheduled_for")
    for contact_id, scheduled_for in rows:
        sends[contact_id].append(scheduled_for)
    return sends


def _send_time(
    contact: Contact, channel: str, now: datetime, counted: list[datetime]
) -> tuple[datetime, str]:
    cap = conf.frequency_cap() if channel in conf.frequency_cap_channels() else 0
    quiet = conf.quiet_hours(channel)
    result = send_time(
        now=now,
        zone=contact_zone(contact),
        quiet=(quiet.start, quiet.end) if quiet else None,
        counted=counted if cap else [],
        cap=cap,
    )
    return result.at, result.deferred_reason


def message_queue(
    *,
    contact_id: int,
    channel: str,
    content: MessageContent,
    context: dict[str, Any],
    step_visit_id: int | None = None,
    variant_id: int | None = None,
    journey_id: int | None = None,
    now: datetime | None = None,
) -> QueuedMessage:
    """Record one message for a step visit (exactly once) and schedule its delivery.

    Runs inside the caller's transaction; delivery starts after it commits. Opted-out
    contacts and switched-off channels give a suppressed message; quiet hours and the
    frequency cap defer it. The same as message_queue_many with one request.
    """
    request = MessageRequest(
        contact_id=contact_id,
        channel=channel,
        content=content,
        context=context,
        step_visit_id=step_visit_id,
        variant_id=variant_id,
        journey_id=journey_id,
    )
    return message_queue_many(requests=[request], now=now)[0]


def test_send(
    *,
    channel: str,
    content: MessageContent,
    contact_id: int,
    to_address: str,
    context: Mapping[str, Any] | None = None,  # noqa: PT028 - a service, not a test
    now: datetime | None = None,  # noqa: PT028
) -> QueuedMessage:
    """Send a variant to a staff address, rendered for a chosen contact, right away.

    Ignores the contact's opt-outs, quiet hours and the cap (it goes to staff), but not a
    switched-off channel.
    """
    now = now or timezone.now()
    context = context or {}
    implementation = get_channel(channel)
    if implementation is None:
        raise ValueError(f"There is no channel called {channel!r}.")
    to_address = implementation.test_address(to_address, content)
    reason = _channel_off_reason(channel)
    message = Message(
        contact_id=contact_id,
        channel=channel,
        to_address=to_address,
        content=dataclasses.asdict(content),
        context=_stored_context(context),
        is_test=True,
        scheduled_for=now,
        status_reason=reason,
        status="suppressed" if reason else "queued",
        created_at=now,
    )
    with transaction.atomic():
        messages_create(now=now, messages=[(message, reason or f"test send to {to_address}")])
        contacts = Contact.objects.select_related("source").in_bulk([contact_id])
        _deliver_or_schedule([message], contacts, now)
    return _queued(message)


def _stored_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """What a message keeps of its context: the events, the journey, and for a one-off
    message from staff, who sent it (the chat signs it with their first name)."""
    stored = {key: context.get(key, {}) for key in ("event", "events", "journey")}
    if context.get("sender"):
        stored["sender"] = context["sender"]
    return stored


@dataclass(frozen=True)
class MessageRequest:
    """One message_queue call's arguments, for message_queue_many."""

    contact_id: int
    channel: str
    content: MessageContent
    context: dict[str, Any]
    step_visit_id: int | None = None
    variant_id: int | None = None
    journey_id: int | None = None
    language: tuple[str, str] = ("", "")  # the language version sent, and why


@transaction.atomic(savepoint=False)  # the caller's transaction, or one of its own
def message_queue_many(
    *, requests: Sequence[MessageRequest], now: datetime | None = None
) -> list[QueuedMessage]:
    """message_queue for a whole batch, in order, with the same guarantees, in a few
    queries whatever its size (the engine queues hundreds of messages per transaction)."""
    now = now or timezone.now()
    visit_ids = [r.step_visit_id for r in requests if r.step_visit_id is not None]
    existing = {m.step_visit_id: m for m in Message.objects.filter(step_visit_id__in=visit_ids)}
    contact_ids = {r.contact_id for r in requests}
    _lock_for_cap(r.contact_id for r in requests if r.channel in conf.frequency_cap_channels())
    contacts = Contact.objects.select_related("source").in_bulk(contact_ids)
    opted_out = opt_out_reasons((r.contact_id, r.channel) for r in requests)
    capped = _capped_sends(contact_ids, now)
    results: list[Message] = []
    new: list[tuple[Message, str]] = []
    for request in requests:
        if request.step_visit_id in existing:
            results.append(existing[request.step_visit_id])
            continue
        message, detail = _new_message(
            request, contacts[request.contact_id], opted_out, capped, now
        )
        new.append((message, detail))
        results.append(message)
        if request.step_visit_id is not None:
            existing[request.step_visit_id] = message
    try:
        with transaction.atomic():  # a savepoint: the engine's transaction survives a clash
            messages_create(now=now, messages=new)
    except IntegrityError:
        kept = _create_one_by_one(new, now)
        results = [kept.get(id(message), message) for message in results]
        new = [(message, detail) for message, detail in new if id(message) not in kept]
    _deliver_or_schedule([message for message, _ in new], contacts, now)
    return [_queued(message) for message in results]


def _deliver_or_schedule(
    messages: Sequence[Message], contacts: Mapping[int, Contact], now: datetime
) -> None:
    """Due messages of local channels (in-app) are delivered right here, in the caller's
    transaction; everything else goes to its channel's workers after commit."""
    due_here = [
        m
        for m in messages
        if m.status == Message.Status.QUEUED and m.scheduled_for <= now and is_local(m.channel)
    ]
    left = messages_deliver_local(messages=due_here, contacts=contacts, now=now)
    here = {id(m) for m in due_here} - {id(m) for m in left}
    for message in messages:
        if id(message) not in here:
            schedule_delivery(message, now)


def _lock_for_cap(contact_ids: Iterable[int]) -> None:
    """Lock the contacts whose sends the frequency cap counts, in id order (the engine's
    order), so two transactions queueing for one person count each other's messages."""
    ids = sorted(set(contact_ids))
    if ids and conf.frequency_cap():
        list(
            Contact.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", flat=True)
        )


def _create_one_by_one(new: list[tuple[Message, str]], now: datetime) -> dict[int, Message]:
    """Insert each message in its own savepoint; a step visit another transaction queued
    first keeps that message. Returns those existing messages by id() of the new one."""
    kept: dict[int, Message] = {}
    for message, detail in new:
        message.pk, message._state.adding = None, True
        try:
            with transaction.atomic():
                messages_create(now=now, messages=[(message, detail)])
        except IntegrityError:
            if message.step_visit_id is None:
                raise
            kept[id(message)] = Message.objects.get(step_visit_id=message.step_visit_id)
    return kept


def _new_message(
    request: MessageRequest,
    contact: Contact,
    opted_out: Mapping[tuple[int, str], str],
    capped: dict[int, list[datetime]],
    now: datetime,
) -> tuple[Message, str]:
    channel = request.channel
    reason = _channel_off_reason(channel) or opted_out.get((contact.pk, channel), "")
    address = address_for(contact, channel, request.content)
    implementation = get_channel(channel)
    if not reason and not address and implementation is not None:
        reason = implementation.no_address
    scheduled_for, deferred = now, ""
    if not reason:
        counted = capped.setdefault(contact.pk, [])
        scheduled_for, deferred = _send_time(contact, channel, now, counted)
        if channel in conf.frequency_cap_channels():
            counted.append(scheduled_for)
    message = Message(
        contact_id=contact.pk,
        channel=channel,
        to_address=address,
        content=dataclasses.asdict(request.content),
        context=_stored_context(request.context),
        step_visit_id=request.step_visit_id,
        variant_id=request.variant_id,
        journey_id=request.journey_id,
        language=request.language[0],
        language_reason=request.language[1][:200],
        scheduled_for=scheduled_for,
        deferred_reason=deferred,
        status_reason=reason,
        status="suppressed" if reason else "queued",
        created_at=now,
    )
    detail = reason or (
        f"deferred ({deferred}) until {scheduled_for.isoformat()}" if deferred else ""
    )
    return message, detail


def contact_messages_move(*, source_id: int, into_id: int) -> None:
    """Before a contact merge deletes `source_id`: its messages and subscription history
    move to `into_id` (journeys.run.contacts.contact_merge calls it via the outbox)."""
    Message.objects.filter(contact_id=source_id).update(contact_id=into_id)
    SubscriptionChange.objects.filter(contact_id=source_id).update(contact_id=into_id)
    chat_contact_move(source_id=source_id, into_id=into_id)
