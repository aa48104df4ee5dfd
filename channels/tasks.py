"""django-q2 entry points. Thin: they take ids and call services; all are idempotent."""

from __future__ import annotations

import json
import logging
from datetime import datetime

from django.core.mail import EmailMessage
from django.utils import timezone

from channels import conf
from channels.base import SendError
from channels.delivery.dispatch import deliveries_enqueue
from channels.delivery.messages import message_fail_interrupted
from channels.delivery.sending import messages_send
from channels.models import Message
from channels.registry import channel_keys
from channels.webhook import post_json

logger = logging.getLogger(__name__)
SWEEP_BATCH = 1_000


def deliver_messages(message_ids: list[int], now: datetime | None = None) -> dict[int, str]:
    """One delivery attempt for each of a batch (what the sweeper queues)."""
    return messages_send(message_ids=message_ids, now=now or timezone.now())


def send_due_messages(now: datetime | None = None) -> int:
    """Every minute: queue the due messages (deferred or retrying) and fail dead claims."""
    now = now or timezone.now()
    message_fail_interrupted(now=now)
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


def team_notify_send(target: str, text: str) -> None:
    """Send an internal notification (from delivery.team_notify)."""
    if "@" in target and not target.startswith("http"):
        EmailMessage(subject=text[:78], body=text, from_email=conf.email_from(), to=[target]).send(
            using="default"
        )
        return
    try:
        post_json(target, _slack_body(text), message_id="team-notify")
    except SendError:
        logger.exception("team_notify.failed", extra={"target": target})


def _slack_body(text: str) -> bytes:
    return json.dumps({"text": text}).encode()
