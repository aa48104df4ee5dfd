"""Provider webhook events are remembered while a provider may resend them, then purged."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels.delivery.retention import provider_events_purge
from channels.models import ProviderEvent


def test_old_provider_events_go_and_recent_ones_stay(db, settings):
    settings.PROVIDER_EVENT_RETENTION_DAYS = 30
    now = timezone.now()
    old = ProviderEvent.objects.create(provider="postmark", event_key="a" * 64,
                                       received_at=now - timedelta(days=31))  # fmt: skip
    recent = ProviderEvent.objects.create(provider="postmark", event_key="b" * 64,
                                          received_at=now - timedelta(days=29))  # fmt: skip

    assert provider_events_purge(now=now) == 1
    assert list(ProviderEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not ProviderEvent.objects.filter(pk=old.pk).exists()
