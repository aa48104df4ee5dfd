"""Handing queued messages to the delivery cluster: after the transaction commits, as few
tasks as possible (SEND_BATCH messages each); what cannot be handed over waits for the
sweep (channels.tasks.send_due_messages), so no message is lost."""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django_q.tasks import async_task

from channels.delivery.sending import SEND_BATCH
from channels.models import Message

logger = logging.getLogger(__name__)


class _CommitBatch:
    """Messages queued in one transaction, delivered by as few tasks as possible after it
    commits (the engine queues hundreds per transaction)."""

    def __init__(self) -> None:
        self.message_ids: list[int] = []
        self.flushed = False

    def flush(self) -> None:
        ids, self.message_ids, self.flushed = self.message_ids, [], True
        try:
            deliveries_enqueue(ids)
        except Exception:  # noqa: BLE001 - broker down: the rows are queued, the sweep sends them
            logger.warning("delivery.enqueue_failed", extra={"messages": len(ids)}, exc_info=True)


def deliveries_enqueue(ids: Sequence[int], **options: Any) -> None:
    """Queue delivery tasks for these message ids on the delivery cluster, SEND_BATCH per task."""
    for start in range(0, len(ids), SEND_BATCH):
        async_task(
            "channels.tasks.deliver_messages", list(ids[start : start + SEND_BATCH]),
            cluster=settings.Q_DELIVERY_CLUSTER, **options,
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
        batch.message_ids.append(message.pk)
        return
    batch = _batches.current = _CommitBatch()
    batch.message_ids.append(message.pk)
    transaction.on_commit(batch.flush)  # runs at once outside a transaction
