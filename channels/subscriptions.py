"""Opt-ins and opt-outs per channel: the only writer of journeys.Subscription."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels.models import SubscriptionChange
from journeys.models import Subscription

SUBSCRIBABLE_CHANNELS = ("email", "sms", "in_app")


@dataclass(frozen=True)
class SubscriptionState:
    channel: str
    state: str
    reason: str
    changed_at: datetime | None


@transaction.atomic
def subscription_set(
    *, contact_id: int, channel: str, state: str, reason: str, now: datetime | None = None
) -> SubscriptionState:
    """Move a contact's channel to a state, writing history; a no-op when already there."""
    if state not in Subscription.State.values:
        raise ValueError(f"Unknown subscription state {state!r}.")
    now = now or timezone.now()
    row, created = Subscription.objects.select_for_update().get_or_create(
        contact_id=contact_id,
        channel=channel,
        defaults={"state": state, "reason": reason[:255], "changed_at": now},
    )
    previous = Subscription.State.SUBSCRIBED if created else row.state
    if previous != state:
        if not created:
            row.state, row.reason, row.changed_at = state, reason[:255], now
            row.save(update_fields=["state", "reason", "changed_at"])
        SubscriptionChange.objects.create(
            contact_id=contact_id,
            channel=channel,
            from_state=previous,
            to_state=state,
            reason=reason[:255],
            changed_at=now,
        )
    return SubscriptionState(channel, row.state, row.reason, row.changed_at)


def subscription_states(contact_id: int) -> list[SubscriptionState]:
    """Each subscribable channel's state for a contact (no row means subscribed)."""
    rows = {s.channel: s for s in Subscription.objects.filter(contact_id=contact_id)}
    return [
        SubscriptionState(c, rows[c].state, rows[c].reason, rows[c].changed_at)
        if c in rows
        else SubscriptionState(c, Subscription.State.SUBSCRIBED, "", None)
        for c in SUBSCRIBABLE_CHANNELS
    ]


def subscription_preferences_save(
    *, contact_id: int, wanted: Iterable[str], reason: str
) -> list[SubscriptionState]:
    """Apply a person's own choices: ticked channels are subscribed, unticked ones that
    still allowed sending are unsubscribed (a bounce stays a bounce unless ticked)."""
    wanted = set(wanted)
    for current in subscription_states(contact_id):
        allowed = current.state == Subscription.State.SUBSCRIBED
        if current.channel in wanted and not allowed:
            subscription_set(
                contact_id=contact_id,
                channel=current.channel,
                state=Subscription.State.SUBSCRIBED,
                reason=reason,
            )
        elif current.channel not in wanted and allowed:
            subscription_set(
                contact_id=contact_id,
                channel=current.channel,
                state=Subscription.State.UNSUBSCRIBED,
                reason=reason,
            )
    return subscription_states(contact_id)


def _describe(row: Subscription) -> str:
    reason = f": {row.reason}" if row.reason else ""
    return f"{row.channel} {row.state}{reason} {row.changed_at:%Y-%m-%d}"


def opt_out_reason(contact_id: int, channel: str) -> str:
    """Empty when the contact may get messages on the channel, else why not, in words."""
    row = Subscription.objects.filter(contact_id=contact_id, channel=channel).first()
    return "" if row is None or row.allows_sending else _describe(row)


def opt_out_reasons(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """opt_out_reason for many (contact_id, channel) pairs in one query; absent = allowed."""
    wanted = set(pairs)
    rows = Subscription.objects.filter(
        contact_id__in={contact_id for contact_id, _ in wanted},
        channel__in={channel for _, channel in wanted},
    ).exclude(state=Subscription.State.SUBSCRIBED)
    return {
        (row.contact_id, row.channel): _describe(row)
        for row in rows
        if (row.contact_id, row.channel) in wanted
    }
