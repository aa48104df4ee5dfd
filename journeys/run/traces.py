"""Decision traces: the engine's explanations, stored per contact for the admin page.

One row per decision: `code` is its outcome (the last line's code), `message` its sentences
in order, and `data["lines"]` every line with the values behind it. Rows are collected while
a batch is decided and written at its end (COPY on PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection

from journeys.core.engine import TraceLine
from journeys.models import DecisionTrace, Enrollment
from journeys.models.bulk import copy_rows

MAX_TRACE_MESSAGE = 4000


class _TraceEncoder(DjangoJSONEncoder):
    """Dates and durations as ISO 8601; anything else the engine put in a trace as text."""

    def default(self, o: Any) -> Any:
        if isinstance(o, (set, frozenset, tuple)):
            return list(o)
        try:
            return super().default(o)
        except TypeError:
            return str(o)


@dataclass
class TraceRow:
    """One decision's explanation, not yet written; lines may be added until it is."""

    contact_id: int
    journey_id: int | None
    enrollment: Enrollment | None
    at: datetime
    lines: list[TraceLine] = field(default_factory=list)
    code: str = ""
    # For an enrollment already saved and not at hand as a row (publish, archive).
    enrollment_id: int | None = None

    def __post_init__(self) -> None:
        # The decision's outcome; lines added later (the queued message) keep it.
        self.code = self.code or (self.lines[-1].code[:60] if self.lines else "")

    def add(self, line: TraceLine) -> None:
        self.lines.append(line)
        self.code = self.code or line.code[:60]

    @property
    def enrollment_pk(self) -> int | None:
        return self.enrollment.pk if self.enrollment is not None else self.enrollment_id

    @property
    def message(self) -> str:
        return "\n".join(line.message for line in self.lines)[:MAX_TRACE_MESSAGE]

    def data_json(self) -> str:
        lines = [{"code": l.code, "message": l.message, "data": dict(l.data)} for l in self.lines]  # noqa: E741
        return json.dumps({"lines": lines}, cls=_TraceEncoder)


def trace_row(
    *,
    lines: Iterable[TraceLine],
    contact_id: int,
    journey_id: int | None,
    enrollment: Enrollment | None = None,
    enrollment_id: int | None = None,
    at: datetime,
) -> TraceRow:
    """A trace row for an enrollment row (its id may come later) or a saved one's id."""
    return TraceRow(contact_id, journey_id, enrollment, at, list(lines), "", enrollment_id)


def traces_write(*, rows: list[TraceRow]) -> None:
    """Insert the rows that have lines (after their enrollments were saved)."""
    rows = [row for row in rows if row.lines]
    if not rows:
        return
    if connection.vendor != "postgresql":
        DecisionTrace.objects.bulk_create(
            [
                DecisionTrace(
                    contact_id=row.contact_id,
                    journey_id=row.journey_id,
                    enrollment_id=row.enrollment_pk,
                    at=row.at,
                    code=row.code,
                    message=row.message,
                    data=json.loads(row.data_json()),
                )
                for row in rows
            ],
            batch_size=1000,
        )
        return
    _copy(rows)


def _copy(rows: list[TraceRow]) -> None:
    # COPY: traces are the most numerous rows a batch writes, and nothing reads their ids.
    copy_rows(
        DecisionTrace,
        ["contact", "journey", "enrollment", "at", "code", "message", "data"],
        (
            (
                row.contact_id,
                row.journey_id,
                row.enrollment_pk,
                row.at,
                row.code,
                row.message,
                row.data_json(),
            )  # fmt: skip
            for row in rows
        ),
    )
