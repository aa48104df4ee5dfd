"""django-q2 entry points. Thin: they take ids and call services; all are idempotent."""

from __future__ import annotations

import logging
from datetime import datetime

from django.utils import timezone

from channels.delivery import team
from channels.delivery.dispatch import deliveries_enqueue
from channels.delivery.messages import message_fail_interrupted
from channels.delivery.sending import messages_send
from channels.models import Message
from channels.registry import channel_keys

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1_000


def deliver_messages(message_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """One delivery attempt for each of a batch (what the sweeper queues)."""
    return messages_send(message_ids=message_ids, now=now or timezone.now())


def send_due_messages(now: datetime | None = None) -> int:
    """Every minute: queue the due messages (deferred or retrying), fail dead claims, and
    send the digests of notes to the team whose window has passed."""
    now = now or timezone.now()
    message_fail_interrupted(now=now)
    team.team_alerts_sweep(now=now)
    due: list[tuple[int, str]] = []
    for channel in channel_keys():  # each channel's oldest: one backlog never hides another
        due += [
            (pk, channel)
            for pk in Message.objects.filter(
                status=Message.Status.QUEUED,
                channel=channel,
                scheduled_for__lte=now,
                claimed_until__isnull=True,
            )
            .order_by("scheduled_for")
            .values_list("pk", flat=True)[:SWEEP_BATCH]
        ]
    deliveries_enqueue(due, now=now)
    return len(due)


def team_alerts_send(target: str, topic: str) -> bool:
    """Send the notes waiting for one target and journey, if their digest window allows."""
    return team.team_alerts_send(target=target, topic=topic)


def team_notify_send(target: str, text: str) -> None:
    """Tasks queued before notes were kept for digests: one note, sent as it is."""
    team.team_notify(target=target, text=text)
