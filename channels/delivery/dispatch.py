"""Handing queued messages to their channels' lanes (channels.delivery.lanes): after the
transaction commits, as few tasks as possible (SEND_BATCH messages each); what cannot be
handed over waits for the sweep (channels.tasks.send_due_messages), so no message is
lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django_q.tasks import async_task

from channels.delivery.lanes import by_lane
from channels.delivery.sending import SEND_BATCH
from channels.models import Message

logger = logging.getLogger(__name__)


class _CommitBatch:
    """Messages queued in one transaction, delivered by as few tasks as possible after it
    commits (the engine queues hundreds per transaction), each on its channel's lane."""

    def __init__(self) -> None:
        self.messages: list[tuple[int, str]] = []
        self.flushed = False

    def flush(self) -> None:
        messages, self.messages, self.flushed = self.messages, [], True
        try:
            deliveries_enqueue(messages)
        except Exception:  # noqa: BLE001 - broker down: the rows are queued, the sweep sends them
            logger.warning(
                "delivery.enqueue_failed", extra={"messages": len(messages)}, exc_info=True
            )


def deliveries_enqueue(messages: Iterable[tuple[int, str]], **options: Any) -> None:
    """Queue delivery tasks for these (message id, channel) pairs, each on its channel's
    lane, SEND_BATCH messages per task."""
    for cluster, ids in by_lane(messages).items():
        for start in range(0, len(ids), SEND_BATCH):
            async_task(
                "channels.tasks.deliver_messages", ids[start : start + SEND_BATCH],
                cluster=cluster, **options,
            )  # fmt: skip


_batches = threading.local()


def schedule_delivery(message: Message, now: datetime) -> None:
    """Deliver a queued, due message after the transaction commits, batched with the
    other messages of that transaction; a message not yet due waits for the sweep."""
    if message.status != "queued" or message.scheduled_for > now:
        return  # the sweeper sends it when due
    connection = transaction.get_connection()
    batch: _CommitBatch | None = getattr(_batches, "current", None)
    # A rolled-back transaction or savepoint drops the flush callback: start a new batch.
    # Worst case a message waits for the next sweep (a minute); it is never lost.
    registered = batch is not None and any(
        func == batch.flush for _, func, _ in connection.run_on_commit
    )
    if batch is not None and registered and not batch.flushed and connection.in_atomic_block:
        batch.messages.append((message.pk, message.channel))
        return
    batch = _batches.current = _CommitBatch()
    batch.messages.append((message.pk, message.channel))
    transaction.on_commit(batch.flush)  # runs at once outside a transaction
