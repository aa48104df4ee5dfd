"""messages_send: one delivery attempt for each of a batch of queued messages (the worker)."""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Mapping, Sequence
from contextlib import ExitStack
from datetime import datetime
from typing import Any

from channels import conf
from channels.base import (
    OutboundMessage,
    PermanentSendError,
    Recipient,
    SendResult,
    TransientSendError,
)
from channels.delivery.messages import (
    Accepted,
    message_claim,
    message_fail,
    message_mark_sent_many,
    message_retry_later,
    message_suppress,
    messages_due,
)
from channels.delivery.subscriptions import opt_out_reasons, subscription_set
from channels.delivery.suppression import suppressed_reason
from channels.delivery.unrendered import message_unrendered
from channels.delivery.wanted import messages_cancel_unwanted
from channels.metrics import PROVIDER_ERRORS, SENDS
from channels.models import Message
from channels.registry import get_channel, render_message, subscription_of
from channels.rendering import MessageContent, RenderedMessage, RenderError, template_context
from channels.web.unsubscribe import unsubscribe_urls
from journeys.models import Contact

logger = logging.getLogger(__name__)
# Messages per delivery task: amortises the claim and status writes; small enough that one
# slow provider call holds few messages back.
SEND_BATCH = 50


def contact_context(contact: Contact) -> dict[str, Any]:
    """What templates see as `contact`: plain values only, never the model."""
    return {
        "user_id": contact.user_id or "",
        "email": contact.email,
        "phone": contact.phone,
        "first_name": contact.first_name,
        "last_name": contact.last_name,
        "locale": contact.locale,
        "timezone": contact.timezone,
        "traits": dict(contact.traits or {}),
    }


def message_values(
    contact: Mapping[str, Any], stored: Mapping[str, Any] | None, unsubscribe_url: str
) -> dict[str, Any]:
    """What a message's templates see: the contact, and what the journey stored with the
    message (`event`, `events`, `journey`). Delivery and the builder's preview both use it."""
    stored = stored or {}
    return template_context(
        contact=contact,
        event=stored.get("event") or {},
        events=stored.get("events") or {},
        journey=stored.get("journey") or {},
        unsubscribe_url=unsubscribe_url,
    )


def recipient(contact: Contact) -> Recipient:
    """What channels may use to reach the contact."""
    return Recipient(
        contact_id=contact.pk,
        user_id=contact.user_id or "",
        email=contact.email,
        phone=contact.phone,
        traits=dict(contact.traits or {}),
    )


def address_for(contact: Contact, channel_key: str, content: MessageContent) -> str:
    """Where the channel delivers for this contact; "" when it has nowhere to go."""
    channel = get_channel(channel_key)
    return channel.address(recipient(contact), content) if channel is not None else ""


def _ineligible_reason(message: Message, opted_out: Mapping[tuple[int, str], str]) -> str:
    implementation = get_channel(message.channel)
    if implementation is None or message.channel not in conf.enabled_channels():
        return "channel disabled"
    if not implementation.is_available():
        return "channel not configured"
    if message.is_test:
        return ""
    return opted_out.get((message.contact_id, message.channel), "")


def outbound_for(message: Message) -> OutboundMessage | RenderError:
    """The message rendered for its contact, ready for its channel (or why it cannot be)."""
    contact = message.contact
    content = MessageContent(**message.content)
    address = (
        message.to_address if message.is_test else address_for(contact, message.channel, content)
    )
    unsubscribe, one_click = unsubscribe_urls(message)
    context = message_values(contact_context(contact), message.context, unsubscribe)
    try:
        rendered = render_message(message.channel, content, context)
    except RenderError as exc:
        return exc
    rendered = _first_message_note(message, contact, rendered)
    if message.is_test and rendered.subject:
        rendered = dataclasses.replace(rendered, subject=f"[Test] {rendered.subject}")
    return OutboundMessage(
        message_id=message.pk,
        contact_id=message.contact_id,
        to_address=address,
        rendered=rendered,
        unsubscribe_url=unsubscribe,
        one_click_url=one_click,
    )


def _first_message_note(
    message: Message, contact: Contact, rendered: RenderedMessage
) -> RenderedMessage:
    """The first message of a channel to a person carries what that channel says first
    (SMS: how to stop), in the source's words if it has its own."""
    channel = get_channel(message.channel)
    if channel is None or message.is_test:
        return rendered
    custom = contact.source.sms_stop_text if contact.source is not None else ""
    note = channel.first_message_note(custom=custom, language=contact.locale)
    if not note:
        return rendered
    earlier = Message.objects.filter(
        contact_id=contact.pk, channel=message.channel, sent_at__isnull=False, is_test=False
    ).exclude(pk=message.pk)
    return rendered if earlier.exists() else channel.with_note(rendered, note)


def messages_send(*, message_ids: Sequence[int], now: datetime) -> dict[int, str]:
    """Check, claim, render and hand each message to its channel; returns what happened
    to each one this worker took ("sent", "suppressed", "cancelled", "failed",
    "retrying").

    Each message is claimed just before its own send (for a channel that sends several
    at once, just before its group's), in the same statement that checks its journey
    still wants it, so a goal reached while earlier messages of the batch were being sent
    still cancels it. Idempotent: messages that are not queued and due, or that another
    worker claimed, are left alone (and missing from the result).
    """
    cancelled = messages_cancel_unwanted(message_ids=message_ids, now=now)
    outcomes = dict.fromkeys(cancelled, "cancelled")
    due = messages_due(message_ids=message_ids, now=now)
    if not due:
        return outcomes
    with _read_ahead(due):
        return _send_due(due, outcomes, now)


def _send_due(due: list[Message], outcomes: dict[int, str], now: datetime) -> dict[int, str]:
    window = _Window(opt_out_reasons((m.contact_id, m.channel) for m in due), now, outcomes)
    passed_over: list[int] = []
    deadline = time.monotonic() + conf.batch_seconds()
    try:
        for message in due:
            if time.monotonic() > deadline:
                break  # a slow provider: leave the rest to the next sweep
            if not message_claim(message_id=message.pk, now=now):
                passed_over.append(message.pk)
                continue
            window.take(message)
        window.send()
    finally:
        # Even if an attempt raised: record what providers accepted. The message that
        # raised stays claimed and is later failed as interrupted, since whether its
        # provider got it is unknown; messages never reached were never claimed.
        if window.accepted:
            message_mark_sent_many(accepted=window.accepted, now=now)
    # Not claimed: another worker's, or its journey stopped wanting it a moment ago.
    for pk in messages_cancel_unwanted(message_ids=passed_over, now=now):
        outcomes[pk] = "cancelled"
    logger.info("messages.sent", extra={"claimed": len(outcomes), "sent": len(window.accepted)})
    return outcomes


def _read_ahead(messages: Sequence[Message]) -> ExitStack:
    by_channel: dict[str, list[int]] = {}
    for message in messages:
        by_channel.setdefault(message.channel, []).append(message.contact_id)
    stack = ExitStack()
    for key, contact_ids in by_channel.items():
        channel = get_channel(key)
        if channel is not None:
            stack.enter_context(channel.read_ahead(contact_ids))
    return stack


class _Window:
    """Claimed messages waiting to be handed to their channel together: up to the
    channel's `sends_at_once`, one at a time for most channels."""

    def __init__(
        self, opted_out: Mapping[tuple[int, str], str], now: datetime, outcomes: dict[int, str]
    ) -> None:
        self.opted_out, self.now, self.outcomes = opted_out, now, outcomes
        self.accepted: list[Accepted] = []
        self.waiting: list[tuple[Message, OutboundMessage]] = []

    def take(self, message: Message) -> None:
        if self.waiting and self.waiting[0][0].channel != message.channel:
            self.send()
        try:
            prepared = _prepare(message, self.opted_out, self.now)
        except BaseException:
            self.send()  # what waits is claimed: send it before giving up on the batch
            raise
        if isinstance(prepared, str):
            self._outcome(message, prepared)
            return
        self.waiting.append((message, prepared))
        channel = get_channel(message.channel)
        if channel is None or len(self.waiting) >= channel.sends_at_once:
            self.send()

    def send(self) -> None:
        """Send what waits; settle every result before raising what one send raised."""
        if not self.waiting:
            return
        waiting, self.waiting = self.waiting, []
        channel = get_channel(waiting[0][0].channel)
        assert channel is not None  # checked by _ineligible_reason
        results = channel.send_each([outbound for _, outbound in waiting])
        unexpected = [r for r in results if isinstance(r, Exception) and not _is_send_error(r)]
        for (message, outbound), result in zip(waiting, results, strict=True):
            if not isinstance(result, Exception) or _is_send_error(result):
                self._outcome(message, _settle(message, outbound, result, self.now))
        if unexpected:
            raise unexpected[0]

    def _outcome(self, message: Message, result: Accepted | str) -> None:
        if isinstance(result, Accepted):
            self.accepted.append(result)
            result = "sent"
        self.outcomes[message.pk] = result
        SENDS.labels(message.channel, result).inc()


def _is_send_error(result: object) -> bool:
    return isinstance(result, (TransientSendError, PermanentSendError))


def _prepare(
    message: Message, opted_out: Mapping[tuple[int, str], str], now: datetime
) -> OutboundMessage | str:
    """The message ready for its provider, or what happened instead ("suppressed"...)."""
    reason = _ineligible_reason(message, opted_out)
    if reason:
        message_suppress(message_id=message.pk, reason=reason, now=now)
        return "suppressed"
    outbound = outbound_for(message)
    if isinstance(outbound, RenderError):
        message_unrendered(message, outbound, now)
        return "failed"
    if not outbound.to_address:
        message_suppress(message_id=message.pk, reason="no address", now=now)
        return "suppressed"
    bounced = (
        ""
        if message.is_test
        else suppressed_reason(channel=message.channel, address=outbound.to_address)
    )
    if bounced:
        message_suppress(message_id=message.pk, reason=bounced, now=now)
        return "suppressed"
    return outbound


def _settle(
    message: Message,
    outbound: OutboundMessage,
    result: SendResult | Exception,
    now: datetime,
) -> Accepted | str:
    """Record what the provider said about one message."""
    if isinstance(result, TransientSendError):
        PROVIDER_ERRORS.labels(message.channel, "transient").inc()
        logger.warning("message.send.transient", extra={"message_id": message.pk})
        retried = message_retry_later(
            message_id=message.pk, error=str(result), now=now, retry_after=result.retry_after
        )
        return "retrying" if retried.status == "queued" else "failed"
    if isinstance(result, PermanentSendError):
        PROVIDER_ERRORS.labels(message.channel, "permanent").inc()
        message_fail(message_id=message.pk, error=str(result), now=now, rendered=outbound.rendered)
        key = subscription_of(message.channel)
        if result.opted_out and key is not None:
            subscription_set(
                contact_id=message.contact_id,
                channel=key,
                state="unsubscribed",
                reason="the provider reports the number opted out",
                now=now,
            )
        return "failed"
    assert isinstance(result, SendResult)
    return Accepted(
        message_id=message.pk,
        provider_id=result.provider_id,
        status=result.status,
        to_address=outbound.to_address,
        rendered=outbound.rendered,
    )
