"""Opt-ins and opt-outs per channel: the only writer of journeys.Subscription.

A Subscription row is keyed by the channel's subscription key (channels.registry); a
channel with no subscription key (webhooks) has no opt-out. No row means subscribed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from channels.delivery.withdraw import messages_withdraw
from channels.models import Message, SubscriptionChange
from channels.registry import all_channels, preference_labels, subscription_of
from journeys.models import Subscription


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
        if state != Subscription.State.SUBSCRIBED:
            _withdraw_waiting(row, now)
    return SubscriptionState(channel, row.state, row.reason, row.changed_at)


def _withdraw_waiting(row: Subscription, now: datetime) -> None:
    """An opt-out also stops what already waits to be sent on the channels it governs."""
    governed = [channel.key for channel in all_channels() if channel.subscription == row.channel]
    waiting = Message.objects.filter(
        contact_id=row.contact_id, channel__in=governed, status=Message.Status.QUEUED
    ).values_list("pk", flat=True)
    reason = _describe(row)
    messages_withdraw(
        reasons=dict.fromkeys(waiting, reason), status=Message.Status.SUPPRESSED, now=now
    )


def subscription_states(contact_id: int) -> list[SubscriptionState]:
    """The state of each subscription the preferences page offers (no row: subscribed)."""
    return subscription_states_of(contact_id, list(preference_labels()))


def subscription_states_of(contact_id: int, keys: Iterable[str]) -> list[SubscriptionState]:
    """The state of these subscription keys for a contact, in order (no row: subscribed)."""
    rows = {s.channel: s for s in Subscription.objects.filter(contact_id=contact_id)}
    return [
        SubscriptionState(c, rows[c].state, rows[c].reason, rows[c].changed_at)
        if c in rows
        else SubscriptionState(c, Subscription.State.SUBSCRIBED, "", None)
        for c in keys
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


def opt_out_reasons(pairs: Iterable[tuple[int, str]]) -> dict[tuple[int, str], str]:
    """Why each (contact_id, channel) pair may not be sent to, in one query; absent = allowed."""
    wanted: set[tuple[int, str, str]] = set()
    for contact_id, channel in pairs:
        key = subscription_of(channel)
        if key is not None:
            wanted.add((contact_id, key, channel))
    if not wanted:
        return {}
    rows = Subscription.objects.filter(
        contact_id__in={contact_id for contact_id, _, _ in wanted},
        channel__in={key for _, key, _ in wanted},
    ).exclude(state=Subscription.State.SUBSCRIBED)
    described = {(row.contact_id, row.channel): _describe(row) for row in rows}
    return {
        (contact_id, channel): described[(contact_id, key)]
        for contact_id, key, channel in wanted
        if (contact_id, key) in described
    }
