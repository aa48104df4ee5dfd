"""Row claims for the worker: evaluated immediately, skipping rows another worker holds.

The event worker locks contacts, then their open enrollments (each in id order, waiting
for other workers). The wake-up sweep takes enrollments, then contacts, but only with SKIP
LOCKED, so it never waits: the two can never wait on each other in a cycle."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet

from journeys.models import Contact, Enrollment, Event, Journey


def claim_pending_events(
    *, limit: int, now: datetime, of_contacts: QuerySet[Any] | None = None
) -> list[Event]:
    """Lock up to `limit` unprocessed events, oldest first, leaving those held for a later
    retry (journeys.run.isolation); only those of `of_contacts`, a subquery of contact ids,
    when given (the fast lane). Call inside a transaction."""
    pending = Event.objects.filter(processed_at__isnull=True).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lte=now)
    )
    if of_contacts is not None:
        pending = pending.filter(contact_id__in=of_contacts)
    return list(pending.order_by("id").select_for_update(skip_locked=True, of=("self",))[:limit])


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
    """Lock up to `limit` waiting enrollments of live journeys whose wake-up is due, soonest
    first; rows another worker holds are skipped. Inside a transaction."""
    return list(
        Enrollment.objects.filter(
            state=Enrollment.State.WAITING,
            wake_at__lte=now,
            journey__status=Journey.Status.LIVE,
        )
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
        .order_by("wake_at")
        .select_for_update(skip_locked=True, of=("self",))[:limit]
    )


def try_lock_contacts(*, contact_ids: Iterable[int]) -> set[int]:
    """Lock the contacts no other worker holds; return their ids. Never waits, so a sweep
    holding enrollments cannot deadlock with an event batch holding their contacts."""
    return set(
        Contact.objects.filter(pk__in=set(contact_ids))
        .order_by("pk")
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)
    )
