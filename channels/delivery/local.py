"""Channels whose delivery is a write to Stepwise's own database (in-app: a chat line) are
delivered in the transaction that queues their messages, not by a worker afterwards.

Nothing slow is involved — no provider, no network — so there is nothing to queue for: the
bot's line commits with the step visit that sent it (the engine's batch, a wake-up, a
staff message) and the open streams are woken at commit. No backlog of email, SMS or
webhook work can delay it, because it never enters a queue (docs/engine.md, "The chat's
fast path")."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from datetime import datetime

from django.db import transaction

from channels.base import OutboundMessage
from channels.delivery.messages import Accepted, message_mark_sent_many
from channels.delivery.sending import outbound_for
from channels.delivery.unrendered import message_unrendered
from channels.metrics import SENDS
from channels.models import Message
from channels.registry import get_channel
from channels.rendering import RenderError
from journeys.models import Contact

logger = logging.getLogger(__name__)


def is_local(channel: str) -> bool:
    implementation = get_channel(channel)
    return implementation is not None and implementation.local


def messages_deliver_local(
    *, messages: Sequence[Message], contacts: Mapping[int, Contact], now: datetime
) -> list[Message]:
    """Deliver these just-queued, due messages of local channels now, in the caller's
    transaction; return those that could not be delivered here (a worker retries them).

    A render error fails its message, as it would in a worker. Anything unexpected rolls
    back this delivery only (a savepoint) and hands the messages to the worker, so a
    fault in the chat can never hold up the engine's batch that queued them."""
    by_channel: dict[str, list[Message]] = defaultdict(list)
    for message in messages:
        message.contact = contacts[message.contact_id]  # no query: already loaded
        by_channel[message.channel].append(message)
    left: list[Message] = []
    for key, group in by_channel.items():
        try:
            with transaction.atomic():
                _deliver(key, group, now)
        except Exception:  # noqa: BLE001 - the worker path takes over; logged with the trace
            logger.exception("delivery.local_failed", extra={"channel": key})
            for message in group:
                message.status = Message.Status.QUEUED
            left += group
    return left


def _deliver(key: str, messages: list[Message], now: datetime) -> None:
    channel = get_channel(key)
    assert channel is not None  # is_local() chose these
    ready: list[tuple[Message, OutboundMessage]] = []
    for message in messages:
        outbound = outbound_for(message)
        if isinstance(outbound, RenderError):
            message_unrendered(message, outbound, now)
            message.status = Message.Status.FAILED
            SENDS.labels(key, "failed").inc()
            continue
        ready.append((message, outbound))
    results = channel.send_many([outbound for _, outbound in ready])
    accepted = [
        Accepted(
            message_id=message.pk,
            provider_id=result.provider_id,
            status=result.status,
            to_address=outbound.to_address,
            rendered=outbound.rendered,
        )
        for (message, outbound), result in zip(ready, results, strict=True)
    ]
    message_mark_sent_many(accepted=accepted, now=now)
    for (message, _), result in zip(ready, results, strict=True):
        message.status = result.status
        SENDS.labels(key, "sent").inc()
