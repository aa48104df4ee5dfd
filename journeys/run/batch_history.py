"""What a batch knows of its contacts' past events: loaded once, read by every decision.

`Batch` (journeys.run.enrollment_batch) takes these methods; entry decisions and event
conditions read the contact's events through them, so a batch asks the database once.
"""

from __future__ import annotations

import bisect
from datetime import datetime

from journeys.core.engine import EventView
from journeys.models import Contact, Event


class BatchHistory:
    """The contacts' events with the names the journeys care about, oldest first."""

    contacts: dict[int, Contact]
    history: dict[int, list[EventView]]

    def load_history(self, *, names: set[str], since: datetime) -> None:
        """The batch contacts' events with these names since `since`, oldest first."""
        if not names or not self.contacts:
            return
        rows = (
            Event.objects.filter(contact_id__in=list(self.contacts), name__in=names)
            .filter(timestamp__gte=since)
            .order_by("timestamp", "pk")
            .values_list("pk", "contact_id", "name", "properties", "timestamp")
        )
        for pk, contact_id, name, properties, stamp in rows:
            self.history.setdefault(contact_id, []).append(
                EventView(name=name, properties=properties or {}, timestamp=stamp, id=pk)
            )

    def events_between(
        self, contact_id: int, *, since: datetime | None, upto: EventView | None
    ) -> tuple[EventView, ...]:
        """The contact's known events from `since` up to and including `upto` (else all)."""
        events = self.history.get(contact_id, [])
        keys = [(e.timestamp, e.id) for e in events]
        start = 0 if since is None else bisect.bisect_left(keys, (since, -1))
        end = len(events)
        if upto is not None:
            end = bisect.bisect_right(keys, (upto.timestamp, upto.id))
        window = events[start:end]
        if upto is not None and all(e.id != upto.id for e in window):
            window.append(upto)
        return tuple(window)

    def events_before(self, contact_id: int, event: EventView) -> tuple[EventView, ...]:
        return tuple(e for e in self.events_between(contact_id, since=None, upto=event)
                     if e.id != event.id)  # fmt: skip
