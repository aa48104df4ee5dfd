"""How staff members appear to end users, and what Stepwise remembers for them."""

from __future__ import annotations

from typing import Any

from journeys.models import StaffTestAddress


def person_name(user: Any) -> str:
    """How a staff member signs in the chat: their first name (else their username), never
    their full name or email."""
    first = str(getattr(user, "first_name", "") or "").strip()
    if first:
        return first.split()[0][:80]
    get_username = getattr(user, "get_username", None)
    username = str(get_username() or "") if callable(get_username) else ""
    return username[:1].upper() + username[1:80]


def test_address_for(user: Any, channel: str, *, by_email: bool) -> str:
    """Where this staff member's next test on `channel` goes: where the last one went, else
    (for a channel that addresses people by email) their own email, else ""."""
    remembered = (
        StaffTestAddress.objects.filter(user_id=user.pk, channel=channel)
        .values_list("address", flat=True)
        .first()
    )
    if remembered:
        return remembered
    return str(getattr(user, "email", "") or "") if by_email else ""


def test_address_remember(user: Any, channel: str, address: str) -> None:
    """A test went to `address`: the box starts with it next time."""
    StaffTestAddress.objects.update_or_create(
        user_id=user.pk, channel=channel, defaults={"address": address[:2000]}
    )
