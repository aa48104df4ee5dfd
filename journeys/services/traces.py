"""Decision traces: the engine's explanations, stored per contact for the admin page.

Rows are built in memory while a batch is decided and written with one bulk insert."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder

from journeys.engine import TraceLine
from journeys.models import DecisionTrace, Enrollment

MAX_TRACE_MESSAGE = 2000


class _TraceEncoder(DjangoJSONEncoder):
    """Dates and durations as ISO 8601; anything else the engine put in a trace as text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


def trace_data(data: Mapping[str, Any]) -> dict[str, Any]:
    """A JSON-safe copy of a trace line's values."""
    return json.loads(json.dumps(dict(data), cls=_TraceEncoder))


def trace_rows(
    *,
    lines: Iterable[TraceLine],
    contact_id: int,
    journey_id: int | None,
    enrollment: Enrollment | None,
    at: datetime,
) -> list[DecisionTrace]:
    """Unsaved DecisionTrace rows for these lines (the enrollment may be unsaved too)."""
    return [
        DecisionTrace(
            contact_id=contact_id,
            journey_id=journey_id,
            enrollment=enrollment,
            at=at,
            code=line.code[:60],
            message=line.message[:MAX_TRACE_MESSAGE],
            data=trace_data(line.data),
        )
        for line in lines
    ]


def traces_write(*, rows: list[DecisionTrace]) -> None:
    """Insert trace rows built by trace_rows (after their enrollments were saved)."""
    if rows:
        DecisionTrace.objects.bulk_create(rows, batch_size=1000)
