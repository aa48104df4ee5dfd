"""The one audit log (AuditEntry) for every staff action: journey edits and publishes,
keys, exports, erasures. Each entry is written in the transaction of its change."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.utils import timezone

from journeys.models import AuditEntry, Journey


def staff_user(by: AbstractBaseUser | AnonymousUser | None) -> User | None:
    """The signed-in user, or None for the system (commands, the demo loader)."""
    if by is None or not by.is_authenticated:
        return None
    return cast(User, by)  # AUTH_USER_MODEL is Django's User


def actor_name(by: AbstractBaseUser | AnonymousUser | None, fallback: str = "") -> str:
    """Who, as text: the user name, else `fallback` (a command, a key name), else "system"."""
    user = staff_user(by)
    return user.get_username() if user is not None else (fallback or "system")


def audit_record(
    *,
    action: str,
    summary: str,
    by: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    diff: dict[str, Any] | None = None,
    journey: Journey | None = None,
    at: datetime | None = None,
) -> AuditEntry:
    """Write one audit entry; `by` a staff user, else `actor_label` (a command, a key name).

    `summary` is a sentence, `diff` what changed (JSON-ready), `journey` the journey it is
    about, if any."""
    user = staff_user(by)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=actor_name(by, actor_label)[:200],
        action=action[:40],
        journey=journey,
        summary=summary[:500],
        diff=diff or {},
        at=at or timezone.now(),
    )
