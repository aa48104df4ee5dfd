"""Row claims for the worker: evaluated immediately, skipping rows another worker holds."""

from __future__ import annotations

from journeys.models import Event


def claim_pending_events(*, limit: int) -> list[Event]:
    """Lock up to `limit` unprocessed events, oldest first. Call inside a transaction."""
    return list(
        Event.objects.filter(processed_at__isnull=True)
        .order_by("id")
        .select_for_update(skip_locked=True, of=("self",))[:limit]
    )
