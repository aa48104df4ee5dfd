"""The one audit log: who did what, when, with the diff it made (journeys.models.AuditEntry).

Every staff action that changes something writes its entry here, in the transaction of
the change (STYLE rule 5)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from journeys.models import AuditEntry, Journey


def staff_user(by: AbstractBaseUser | AnonymousUser | None) -> AbstractBaseUser | None:
    """The signed-in user, or None for the system (commands, the demo loader)."""
    if by is None or not by.is_authenticated:
        return None
    return by  # type: ignore[return-value]


def actor_label(by: AbstractBaseUser | AnonymousUser | None) -> str:
    user = staff_user(by)
    return user.get_username() if user is not None else "system"


def audit_record(
    *,
    action: str,
    summary: str,
    by: AbstractBaseUser | AnonymousUser | None,
    journey: Journey | None = None,
    diff: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write one audit entry; `summary` is a sentence, `diff` what changed (JSON-ready)."""
    user = staff_user(by)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_label(by),
        action=action,
        journey=journey,
        summary=summary[:500],
        diff=diff or {},
        at=at or timezone.now(),
    )
