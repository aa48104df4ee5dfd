"""How staff members appear to end users."""

from __future__ import annotations

from typing import Any


def person_name(user: Any) -> str:
    """How a staff member signs in the chat: their first name (else their username), never
    their full name or email."""
    first = str(getattr(user, "first_name", "") or "").strip()
    if first:
        return first.split()[0][:80]
    get_username = getattr(user, "get_username", None)
    username = str(get_username() or "") if callable(get_username) else ""
    return username[:1].upper() + username[1:80]
