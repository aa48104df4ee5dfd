"""How far each message got: sent, delivered, opened, clicked — counted so that the
figures agree (a message opened was sent). A message's status is only its latest
furthest step (an in-app message goes from queued straight to opened; an email clicked
and then unsubscribed from says "unsubscribed"), so the rung reached is read from the
status and the timestamps together. Pure."""

from __future__ import annotations

from collections.abc import Iterable

LADDER = ("sent", "delivered", "opened", "clicked")
# The rung a status proves: a bounce was sent; a complaint or an unsubscribe was delivered.
STATUS_RUNG = {
    "sent": 0, "bounced": 0, "delivered": 1, "complained": 1, "unsubscribed": 1,
    "opened": 2, "clicked": 3,
}  # fmt: skip


def rung(status: str, stamps: tuple[bool, bool, bool, bool]) -> int:
    """The furthest rung (index into LADDER) a message reached; -1 for none (queued,
    failed, suppressed). `stamps`: whether sent_at, delivered_at, opened_at and
    clicked_at are set."""
    furthest = STATUS_RUNG.get(status, -1)
    for index, stamped in enumerate(stamps):
        if stamped:
            furthest = max(furthest, index)
    return furthest


def ladder_counts(rungs: Iterable[tuple[int, int]]) -> dict[str, int]:
    """Messages at or past each rung, from (rung, how many) pairs: never more opened than
    delivered, nor delivered than sent."""
    counts = dict.fromkeys(LADDER, 0)
    for reached, n in rungs:
        for index in range(reached + 1):
            counts[LADDER[index]] += n
    return counts
