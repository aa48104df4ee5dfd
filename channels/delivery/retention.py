"""Provider events already applied are kept only as long as a provider may resend them.

ESPs and Twilio retry a webhook for hours, at most a few days; after PROVIDER_EVENT_
RETENTION_DAYS a row only costs space (the message's own history keeps what happened)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from channels.models import ProviderEvent

PURGE_CHUNK = 5000


def provider_events_purge(*, now: datetime, days: int | None = None) -> int:
    """Delete the provider event keys older than the retention; return how many."""
    days = settings.PROVIDER_EVENT_RETENTION_DAYS if days is None else days
    old = ProviderEvent.objects.filter(received_at__lt=now - timedelta(days=days))
    total = 0
    while ids := list(old.order_by("pk").values_list("pk", flat=True)[:PURGE_CHUNK]):
        ProviderEvent.objects.filter(pk__in=ids).delete()
        total += len(ids)
    return total
