"""Row claims for the worker: evaluated immediately, skipping rows another worker holds.

Lock order is always contacts, then enrollments (each by id), so the event worker and the
wake-up sweep never wait on each other in a cycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from journeys.models import Contact, Enrollment, Event, Journey


def claim_pending_events(*, limit: int) -> list[Event]:
    """Lock up to `limit` unprocessed events, oldest first. Call inside a transaction."""
    return list(
        Event.objects.filter(processed_at__isnull=True)
        .order_by("id")
        .select_for_update(skip_locked=True, of=("self",))[:limit]
    )


def lock_contacts(*, contact_ids: Iterable[int]) -> dict[int, Contact]:
    """Lock these contacts (waiting for other workers), in id order. Inside a transaction."""
    rows = Contact.objects.filter(pk__in=set(contact_ids)).order_by("pk").select_for_update()
    return {contact.pk: contact for contact in rows}


def lock_open_enrollments(*, contact_ids: Iterable[int]) -> list[Enrollment]:
    """Lock the active or waiting enrollments of these contacts, in id order."""
    return list(
        Enrollment.objects.filter(contact_id__in=set(contact_ids), state__in=Enrollment.OPEN_STATES)
        .order_by("pk")
        .select_for_update(of=("self",))
    )


def claim_due_enrollments(*, now: datetime, limit: int) -> list[Enrollment]:
    """Lock up to `limit` waiting enrollments of live journeys whose wake-up is due,
    together with their contacts; rows another worker holds are skipped."""
    due_contacts = list(
        Enrollment.objects.filter(
            state=Enrollment.State.WAITING,
            wake_at__lte=now,
            journey__status=Journey.Status.LIVE,
        )
        .order_by("wake_at")
        .values_list("contact_id", flat=True)[:limit]
    )
    if not due_contacts:
        return []
    locked = list(
        Contact.objects.filter(pk__in=set(due_contacts))
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
    return list(
        Enrollment.objects.filter(
            contact_id__in=locked,
            state=Enrollment.State.WAITING,
            wake_at__lte=now,
            journey__status=Journey.Status.LIVE,
        )
        .order_by("pk")
        .select_for_update(skip_locked=True, of=("self",))
    )
