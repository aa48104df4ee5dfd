"""Taking waiting messages back before they are sent, with a history row each.

Imports only the models, so the subscription writer (an opt-out) and the journey checks
(channels.wanted) can both use it without an import cycle with channels.messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from datetime import datetime

from django.db import transaction

from channels.models import Message, MessageStatusChange

S = Message.Status


@transaction.atomic(savepoint=False)  # the caller's transaction, or one of its own
def messages_withdraw(*, reasons: Mapping[int, str], status: str, now: datetime) -> list[int]:
    """Move each of these messages that still waits (queued, claimed by no sender) to
    `status` ("cancelled" or "suppressed") with its reason; return the ids moved.

    A claimed message is being sent at this moment: it is left alone, and the sender's own
    check (made in the claim itself) already decided it. Rows are locked in id order."""
    if not reasons:
        return []
    waiting = list(
        Message.objects.select_for_update()
        .filter(pk__in=list(reasons), status=S.QUEUED, claimed_until__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    by_reason: dict[str, list[int]] = defaultdict(list)
    for pk in waiting:
        by_reason[reasons[pk][:500]].append(pk)
    for reason, ids in by_reason.items():
        Message.objects.filter(pk__in=ids).update(
            status=status, status_reason=reason, updated_at=now
        )
    MessageStatusChange.objects.bulk_create(
        MessageStatusChange(
            message_id=pk,
            from_status=S.QUEUED,
            to_status=status,
            detail=reasons[pk][:500],
            occurred_at=now,
            recorded_at=now,
        )
        for pk in waiting
    )
    return waiting
