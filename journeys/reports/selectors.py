"""Reads behind the reports: counters summed for a filter, message outcomes per step and
variant, and the versions to choose from. Every read is a few grouped queries on the
counters table, whatever the number of enrollments."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from psycopg import ClientCursor

from channels.models import Message, SubscriptionChange
from channels.registry import stop_reply_channels, subscription_of
from journeys.core import report_counters as m
from journeys.core.spec import JourneySpec
from journeys.models import Enrollment, Journey, JourneyVersion, MessageVariant, ReportCount, Step
from journeys.reports.csv_cells import NUMBER
from journeys.reports.funnel import Totals
from journeys.reports.ladder import LADDER, ladder_counts, rung
from journeys.run.selectors import version_info


@dataclass(frozen=True)
class Filter:
    """Which entrants a report is about: a version (None: all) and entry days."""

    version: int | None = None
    since: date | None = None
    until: date | None = None


def report_journey(key: str) -> Journey | None:
    return Journey.objects.select_related("current_version").filter(key=key).first()


def report_versions(journey: Journey) -> list[int]:
    return list(
        JourneyVersion.objects.filter(journey=journey)
        .order_by("-number")
        .values_list("number", flat=True)
    )


def report_spec(journey: Journey, filter: Filter) -> tuple[JourneySpec, int | None]:
    """The spec whose order the report follows (the chosen version, else the newest) and
    the chosen version's row id (None: all versions)."""
    if filter.version is not None:
        row = JourneyVersion.objects.get(journey=journey, number=filter.version)
        return version_info(row.pk).spec, row.pk
    assert journey.current_version_id is not None
    return version_info(journey.current_version_id).spec, None


def counter_rows(journey: Journey, filter: Filter, version_id: int | None):  # noqa: ANN202
    rows = ReportCount.objects.filter(journey_id=journey.pk)
    if version_id is not None:
        rows = rows.filter(version_id=version_id)
    if filter.since is not None:
        rows = rows.filter(entry_day__gte=filter.since)
    if filter.until is not None:
        rows = rows.filter(entry_day__lte=filter.until)
    return rows


def report_totals(journey: Journey, filter: Filter, version_id: int | None) -> Totals:
    """Counters summed by (step id, arm, metric); steps of every version meet by id."""
    keys = dict(Step.objects.filter(version__journey=journey).values_list("pk", "key"))
    totals: dict[tuple[str, str, str], int] = defaultdict(int)
    grouped = (
        counter_rows(journey, filter, version_id)
        .values_list("step_id", "arm", "metric")
        .annotate(total=Sum("n"))
        .order_by()
    )
    for step_id, arm, metric, total in grouped:
        step_key = "" if step_id == m.JOURNEY else keys.get(step_id, "")
        totals[(step_key, arm, metric)] += total
    return dict(totals)


def report_days(
    journey: Journey, filter: Filter, version_id: int | None
) -> dict[date, tuple[int, int, int]]:
    """Entrants, conversions and completions per entry day (cohorts and trend lines); a
    completion counts wherever the trip ended."""
    completed = m.ended_metric("completed")
    rows = (
        counter_rows(journey, filter, version_id)
        .filter(arm=m.NO_ARM)
        .filter(Q(step_id=m.JOURNEY, metric__in=[m.ENTERED, m.CONVERTED]) | Q(metric=completed))
        .values_list("entry_day", "metric")
        .annotate(total=Sum("n"))
        .order_by()
    )
    column = {m.ENTERED: 0, m.CONVERTED: 1, completed: 2}
    days: dict[date, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, metric, total in rows:
        days[day][column[metric]] += total
    return {day: (pair[0], pair[1], pair[2]) for day, pair in days.items()}


@dataclass(frozen=True)
class Outcomes:
    """What became of one variant's messages."""

    statuses: dict[str, int]  # by latest status
    deferred: dict[str, int]  # reason -> messages deferred for it
    sms_stops: int
    ladder: dict[str, int] = field(default_factory=dict)  # messages at or past each rung
    cancelled: dict[str, int] = field(default_factory=dict)  # reason -> messages cancelled


def report_outcomes(
    journey: Journey, filter: Filter, version_id: int | None
) -> dict[tuple[str, str], Outcomes]:
    """Per (step id, variant name): messages by status, deferrals by reason, SMS STOPs."""
    variants = {
        pk: (step, name, channel)
        for pk, step, name, channel in MessageVariant.objects.filter(
            step__version__journey=journey
        ).values_list("pk", "step__key", "name", "step__channel")
    }
    messages = Message.objects.filter(journey_id=journey.pk, is_test=False)
    if version_id is not None:
        messages = messages.filter(variant_id__in=list(
            MessageVariant.objects.filter(step__version_id=version_id).values_list("pk", flat=True)
        ))  # fmt: skip
    if filter.since is not None:
        messages = messages.filter(created_at__date__gte=filter.since)
    if filter.until is not None:
        messages = messages.filter(created_at__date__lte=filter.until)
    statuses: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    deferred: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    rungs: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    stamps = {
        name: ExpressionWrapper(Q(**{f"{name}_at__isnull": False}), output_field=BooleanField())
        for name in LADDER
    }
    grouped = messages.annotate(**{f"has_{k}": v for k, v in stamps.items()}).values_list(
        "variant_id", "status", "deferred_reason", *[f"has_{name}" for name in LADDER]
    )
    for variant_id, status, reason, *flags, n in grouped.annotate(n=Count("pk")).order_by():
        if variant_id not in variants:
            continue
        key = variants[variant_id][:2]
        statuses[key][status] = statuses[key].get(status, 0) + n
        stamps_set = (bool(flags[0]), bool(flags[1]), bool(flags[2]), bool(flags[3]))
        rungs[key].append((rung(status, stamps_set), n))
        if reason:
            deferred[key][reason] = deferred[key].get(reason, 0) + n
    cancelled: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    cancelled_rows = messages.filter(status=Message.Status.CANCELLED)
    why = cancelled_rows.values_list("variant_id", "status_reason").annotate(n=Count("pk"))
    for variant_id, reason, n in why.order_by():
        if variant_id in variants:
            cancelled[variants[variant_id][:2]][reason] = n
    stops = _stop_replies_by_variant(messages)
    keys = set(statuses) | {variants[v][:2] for v in stops if v in variants}
    by_key = {variants[v][:2]: n for v, n in stops.items() if v in variants}
    return {
        key: Outcomes(
            dict(statuses.get(key, {})),
            dict(deferred.get(key, {})),
            by_key.get(key, 0),
            ladder_counts(rungs.get(key, [])),
            dict(cancelled.get(key, {})),
        )
        for key in keys
    }


def _stop_replies_by_variant(messages: Any) -> dict[int, int]:
    """Per variant: contacts who replied STOP (on a channel that takes it) after it."""
    stopped = SubscriptionChange.objects.filter(
        contact_id=OuterRef("contact_id"),
        channel__in=[subscription_of(key) for key in stop_reply_channels()],
        to_state="unsubscribed",
        changed_at__gte=OuterRef("created_at"),
    )
    return dict(
        messages.filter(channel__in=stop_reply_channels())
        .filter(Exists(stopped))
        .values_list("variant_id")
        .annotate(n=Count("contact_id", distinct=True))
        .order_by()
        .values_list("variant_id", "n")
    )


def live_journeys() -> list[Journey]:
    return list(
        Journey.objects.filter(status=Journey.Status.LIVE, current_version__isnull=False).order_by(
            "name"
        )
    )


WAITING, LEFT = "waiting", "left"


def _dropoff_enrollments(
    journey: Journey, step_key: str, which: str, filter: Filter
) -> QuerySet[Enrollment]:
    """The enrollments of one drop-off list, as a query (the page and its CSV share it)."""
    rows = Enrollment.objects.filter(journey=journey, step_key=step_key)
    if which == WAITING:
        rows = rows.filter(state__in=Enrollment.OPEN_STATES)
    else:
        rows = rows.filter(state__in=["exited", "failed", "completed"])
    if filter.version is not None:
        rows = rows.filter(version__number=filter.version)
    if filter.since is not None:
        rows = rows.filter(entered_at__date__gte=filter.since)
    if filter.until is not None:
        rows = rows.filter(entered_at__date__lte=filter.until)
    return rows


def dropoff_rows(
    journey: Journey, step_key: str, which: str, filter: Filter, *, limit: int = 200
) -> tuple[list[Enrollment], int]:
    """Contacts still at this step (`waiting`) or whose trip ended there without
    converting (`left`), newest first, with how many there are in all."""
    rows = _dropoff_enrollments(journey, step_key, which, filter)
    total = rows.count()
    found = list(rows.select_related("contact").order_by("-step_entered_at", "-pk")[:limit])
    return found, total


def dropoff_export(journey: Journey, step_key: str, which: str, filter: Filter) -> Iterator[tuple]:
    """Every contact of a drop-off list, for its CSV (streamed, newest first)."""
    rows = _dropoff_enrollments(journey, step_key, which, filter)
    when = "step_entered_at" if which == WAITING else "finished_at"
    return rows.order_by(f"-{when}", "-pk").values_list(
        "contact__first_name", "contact__last_name", "contact__email", "contact__phone",
        "contact__user_id", when, "state",
    ).iterator(chunk_size=20000)  # fmt: skip


def _guarded(column: str) -> str:
    """SQL for a text column no spreadsheet runs as a formula (export.safe_cell's rule)."""
    rest = f"ltrim({column}, ' ')"
    starts = ", ".join(["'='", "'+'", "'-'", "'@'", "chr(9)", "chr(13)"])
    risky = f"left({rest}, 1) IN ({starts}) AND {rest} !~ '^({NUMBER})$'"
    return f"CASE WHEN {risky} THEN '''' || {column} ELSE {column} END"


def dropoff_csv_copy(
    journey: Journey, step_key: str, which: str, filter: Filter, *, zone: str, words: dict[str, str]
) -> Iterator[bytes]:
    """PostgreSQL only: the drop-off list's CSV rows written by the database (COPY … TO
    STDOUT), several times faster than building them in Python for 100,000 contacts."""
    when = "step_entered_at" if which == WAITING else "finished_at"
    states = list(Enrollment.OPEN_STATES) if which == WAITING else ["exited", "failed", "completed"]
    params: list[Any] = [zone]
    cases = []
    for state, word in words.items():
        cases.append("WHEN %s THEN %s")
        params += [state, word]
    where = ["e.journey_id = %s", "e.step_key = %s", "e.state = ANY(%s)"]
    params += [journey.pk, step_key, states]
    if filter.version is not None:
        where.append(
            "e.version_id IN (SELECT id FROM journeys_journeyversion"
            " WHERE journey_id = %s AND number = %s)"
        )
        params += [journey.pk, filter.version]
    if filter.since is not None:
        where.append("e.entered_at >= %s")
        params.append(filter.since)
    if filter.until is not None:
        where.append("e.entered_at < %s::date + 1")
        params.append(filter.until)
    guarded = [_guarded(name) for name in ("c.first_name", "c.last_name", "c.email")]
    columns = ", ".join([*guarded, "c.phone", _guarded("coalesce(c.user_id, '')")])  # E.164
    # Only fixed column names are interpolated; every value is bound by the client cursor.
    query = (
        f"SELECT {columns}, "  # noqa: S608
        f'to_char(e.{when} AT TIME ZONE %s, \'YYYY-MM-DD"T"HH24:MI:SS"+00:00"\'), '
        f"CASE e.state {' '.join(cases)} ELSE e.state END "
        f"FROM journeys_enrollment e JOIN journeys_contact c ON c.id = e.contact_id "
        f"WHERE {' AND '.join(where)} ORDER BY e.{when} DESC, e.id DESC"
    )
    connection.ensure_connection()
    raw = connection.connection
    bound = ClientCursor(raw).mogrify(query, params)
    with raw.cursor() as cursor, cursor.copy(f"COPY ({bound}) TO STDOUT WITH (FORMAT csv)") as copy:
        for block in copy:
            yield bytes(block)
