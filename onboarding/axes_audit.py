"""Write each staff lock-out to the audit log (django-axes' signal: a library boundary)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.dispatch import receiver

from journeys.people.audit import audit_record


@receiver(user_locked_out, dispatch_uid="stepwise.staff_locked_out")
def staff_locked_out(sender: object, request: Any, username: str, ip_address: str, **kw: Any):
    audit_record(
        action="staff.locked_out",
        summary=f"Log-ins for {username or 'an unknown user'} from {ip_address} paused "
        "after too many failures",
        actor_label="django-axes",
        diff={"username": username, "ip_address": ip_address},
    )
