"""The one audit log (AuditEntry) for actions outside journeys: keys, exports, erasures."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.utils import timezone

from journeys.models import AuditEntry


def audit_record(
    *,
    action: str,
    summary: str,
    by: AbstractBaseUser | AnonymousUser | None = None,
    actor_label: str = "",
    diff: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry; `by` a staff user, else `actor_label` (a command, a key name)."""
    user = by if by is not None and by.is_authenticated else None
    label = user.get_username() if user is not None else (actor_label or "system")
    return AuditEntry.objects.create(
        actor=user,
        actor_label=label[:200],
        action=action[:40],
        summary=summary[:500],
        diff=diff or {},
        at=timezone.now(),
    )
