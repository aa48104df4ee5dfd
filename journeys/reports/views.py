"""Report pages, inside the admin (its login and look). Thin: read the filter, build the
report (journeys.reports.reading), render. Needs journeys.view_reports; nothing here edits
a journey."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, date, timedelta
from operator import itemgetter
from typing import Any

from django.contrib import messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from channels.registry import all_channels, get_channel
from journeys.admin.staff_views import allowed, page, staff_view
from journeys.core.steps.base import step_label
from journeys.models import Journey
from journeys.reports.breakdown import TOP, breakdown_table, reach_table, read_by
from journeys.reports.breakdown_reads import breakdown_choices
from journeys.reports.charts import funnel_svg
from journeys.reports.downloads import XLSX_TYPE, sheet_csv, sheet_xlsx
from journeys.reports.export import TABLES, to_csv, to_csv_rows
from journeys.reports.headline import headline, ranked
from journeys.reports.reading import journey_report
from journeys.reports.selectors import (
    LEFT,
    WAITING,
    Filter,
    dropoff_csv_copy,
    dropoff_export,
    dropoff_rows,
    live_journeys,
    report_days,
    report_journey,
    report_spec,
    report_versions,
)
from journeys.reports.sheets import SHEETS, breakdown_sheet
from journeys.reports.snapshots import breakdown_ask, shown
from journeys.reports.time_chart import report_time_charts
from journeys.reports.trend import trend_points, trend_svg
from journeys.reports.words import duration, number
from journeys.run.dropoff import dropoff_exit, dropoff_move_on, dropoff_send

VIEW_REPORTS = "journeys.view_reports"
ACT = "journeys.change_journey"  # "Journey editors"; report viewers only look


def _refused(request: HttpRequest, permission: str) -> HttpResponse:
    """People without journeys.view_reports get a plain page."""
    return page(request, "reports/refused.html", {"title": "Reports"}, status=403)


def _refused_action(request: HttpRequest, permission: str) -> HttpResponse:
    """Acting on a drop-off list takes both the reports and the editors' permission."""
    return page(request, "reports/refused.html", {"title": "Reports", "act": True}, status=403)


reports_view = staff_view(VIEW_REPORTS, refuse=_refused)


def read_filter(request: HttpRequest, journey: Journey) -> tuple[Filter, list[str]]:
    """The version and entry days asked for; what could not be read is said, and ignored."""
    problems: list[str] = []
    version: int | None = None
    raw = request.GET.get("version", "")
    if raw and raw != "all":
        if raw.isdigit() and int(raw) in report_versions(journey):
            version = int(raw)
        else:
            problems.append(f"There is no version {raw[:20]}; showing all versions.")
    days: list[date | None] = []
    for name, words in (("since", "From"), ("until", "To")):
        text = request.GET.get(name, "")
        try:
            days.append(date.fromisoformat(text) if text else None)
        except ValueError:
            problems.append(f"“{words}” must be a date like 2026-12-01; it was ignored.")
            days.append(None)
    since, until = days
    if since and until and since > until:
        problems.append("“From” is after “To”; both were ignored.")
        since = until = None
    return Filter(version, since, until), problems


def _journey(key: str) -> Journey:
    journey = report_journey(key)
    if journey is None or journey.current_version_id is None:
        raise Http404("No published journey with this key.")
    return journey


@reports_view
def overview(request: HttpRequest) -> HttpResponse:
    """Every live journey over twelve weeks: the figure that applies (conversion with a
    goal, else completion), ranked, with its trend."""
    found = []
    since = timezone.now().date() - timedelta(weeks=12)
    for journey in live_journeys():
        spec, _ = report_spec(journey, Filter())
        days = report_days(journey, Filter(since=since), None)
        line = headline(
            goal=spec.goal,
            entered=sum(d[0] for d in days.values()),
            converted=sum(d[1] for d in days.values()),
            completed=sum(d[2] for d in days.values()),
        )
        found.append((line, journey.name, journey, days))
    rows = []
    for line, _, journey, days in ranked(found):
        column = 2 if line.needs_goal else 1
        points, period = trend_points(days, itemgetter(column))
        svg = trend_svg(points, period, measure=line.measure, name=journey.name)
        rows.append(
            {
                "journey": journey,
                "headline": line,
                "entered": number(line.entered),
                "trend": mark_safe(svg),  # noqa: S308 - every text in it is escaped
                "url": reverse("reports:journey", args=[journey.key]),
                "builder": reverse("builder:canvas", args=[journey.key]),
            }
        )
    return page(request, "reports/overview.html", {"title": "Journey reports", "rows": rows})


@reports_view
def journey_page(request: HttpRequest, key: str) -> HttpResponse:
    journey = _journey(key)
    filter, problems = read_filter(request, journey)
    report = journey_report(journey, filter)
    tables = {name: build(report) for name, (_, build) in TABLES.items()}
    spec, _ = report_spec(journey, filter)
    choices = breakdown_choices(journey, spec)
    by = read_by(request.GET.get("by", ""))
    split = None
    if by is not None:  # the worker's latest figures (journeys.reports.snapshots)
        choices += [] if by in choices else [by]
        split = shown(breakdown_ask(journey, by, filter), now=timezone.now())
        tables["breakdown"] = breakdown_table(split.found, by=by, measure=report.headline.measure)
        steps = [(step.id, step.name) for step in report.funnel.steps]
        tables["reach"] = reach_table(split.found, split.reached, steps, by=by)
    query = request.GET.urlencode()
    chart = funnel_svg(report.funnel, title=f"Contacts reaching each step of {journey.name}")
    return page(
        request,
        "reports/journey.html",
        {
            "title": f"Report: {journey.name}",
            "journey": journey,
            "report": report,
            "filter": filter,
            "problems": problems,
            "versions": report_versions(journey),
            "chart": mark_safe(chart),  # noqa: S308 - every text in it is escaped
            "time_charts": {
                kind: [(c.heading, mark_safe(c.svg)) for c in found]  # noqa: S308 - escaped
                for kind, found in report_time_charts(report).items()
            },
            "tables": tables,
            "query": query,
            "now": timezone.now(),
            "builder": reverse("builder:canvas", args=[journey.key]),
            "choices": choices,
            "top": TOP,
            "by": by,
            "split": split,
            "here": request.get_full_path(),
            "ttc_median": duration(report.funnel.ttc_median),
            "ttc_p90": duration(report.funnel.ttc_p90),
        },
    )


@reports_view
def table_csv(request: HttpRequest, key: str, table: str) -> HttpResponse:
    return _download(request, key, table, "csv")


@reports_view
def table_xlsx(request: HttpRequest, key: str, table: str) -> HttpResponse:
    return _download(request, key, table, "xlsx")


def _download(request: HttpRequest, key: str, table: str, kind: str) -> HttpResponse:
    """A table as numbers that add up (journeys.reports.sheets), as CSV or .xlsx."""
    if table not in SHEETS and table != "breakdown":
        raise Http404("No such table.")
    journey = _journey(key)
    filter, _ = read_filter(request, journey)
    report = journey_report(journey, filter)
    if table == "breakdown":
        by = read_by(request.GET.get("by", ""))
        split = shown(breakdown_ask(journey, by, filter), now=timezone.now()) if by else None
        if by is None or split is None or split.as_of is None:
            return HttpResponse(_NOT_YET, status=409, content_type="text/plain; charset=utf-8")
        steps = [(step.id, step.name) for step in report.funnel.steps]
        measure = report.headline.measure
        sheet = breakdown_sheet(split.found, split.reached, steps, by=by, measure=measure)
        title = "Breakdown"
    else:
        sheet, title = SHEETS[table](report), TABLES[table][0]
    if kind == "csv":
        response = HttpResponse(sheet_csv(sheet), content_type="text/csv; charset=utf-8")
    else:
        body = sheet_xlsx(sheet, title=title)
        response = HttpResponse(body, content_type=XLSX_TYPE)
    name = f"{journey.key}-{table}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


_NOT_YET = (
    "This breakdown is still being worked out; download it from the report page once its "
    "figures show.\n"
)

STATE_WORDS = {
    "active": "moving on",
    "waiting": "waiting",
    "completed": "finished the journey",
    "exited": "left the journey",
    "failed": "stopped by an error",
}


def one_off_channels() -> list[tuple[str, str]]:
    """The channels a one-off message to picked contacts can go by: those that reach a
    person (a contact can opt out of them), as the builder names them."""
    return [(c.key, c.picker_label) for c in all_channels() if c.subscription]


@reports_view
def dropoff(request: HttpRequest, key: str, step: str) -> HttpResponse:
    """Contacts stuck at a step or who left there, each a click from their trace."""
    journey = _journey(key)
    filter, problems = read_filter(request, journey)
    spec, _ = report_spec(journey, filter)
    if not spec.has_step(step):
        raise Http404("No such step.")
    which = LEFT if request.GET.get("which") == LEFT else WAITING
    rows, total = dropoff_rows(journey, step, which, filter)
    people = [
        {
            "id": row.pk,
            "name": _person(row.contact),
            "since": row.step_entered_at if which == WAITING else row.finished_at,
            "state": STATE_WORDS.get(row.state, row.state),
            "trace": reverse("admin:journeys_contact_change", args=[row.contact_id]),
            "waiting": row.state == "waiting",
        }
        for row in rows
    ]
    return page(
        request,
        "reports/dropoff.html",
        {
            "title": f"{step_label(step)}: {journey.name}",
            "journey": journey,
            "step": step,
            "step_name": step_label(step),
            "which": which,
            "people": people,
            "total": total,
            "problems": problems,
            "query": request.GET.urlencode(),
            "can_act": allowed(request.user, ACT),
            "channels": one_off_channels(),
        },
    )


def _person(contact: Any) -> str:
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    address = contact.email or contact.phone or contact.user_id or "an anonymous visitor"
    return f"{name} ({address})" if name else address


@staff_view(VIEW_REPORTS, ACT, refuse=_refused_action, methods=("POST",))
def dropoff_action(request: HttpRequest, key: str, step: str) -> HttpResponse:
    """Exit, move on or message the contacts picked in a drop-off list; each audited."""
    journey = _journey(key)
    picked = [int(v) for v in request.POST.getlist("pick") if v.isdigit()]
    back = (
        reverse("reports:dropoff", args=[journey.key, step]) + "?" + request.POST.get("query", "")
    )
    action = request.POST.get("action", "")
    if not picked:
        messages.error(request, "Pick at least one contact first.")
        return redirect(back)
    if action == "exit":
        done = dropoff_exit(journey=journey, enrollment_ids=picked, by=request.user)
        messages.success(request, f"{done} contact(s) left the journey.")
    elif action == "move_on":
        done = dropoff_move_on(journey=journey, enrollment_ids=picked, by=request.user)
        messages.success(request, f"{done} contact(s) moved on to the next step.")
    elif action == "send":
        channel = request.POST.get("channel", "")
        body = request.POST.get("body", "").strip()[:2000]
        subject = request.POST.get("subject", "").strip()[:200]
        found = get_channel(channel)
        needs_subject = found is not None and "subject" in found.required
        if channel not in dict(one_off_channels()) or not body or (needs_subject and not subject):
            messages.error(request, "A message needs a channel, a text and (for email) a subject.")
            return redirect(back)
        content = {"body": body, **({"subject": subject} if needs_subject else {})}
        sent = dropoff_send(
            journey=journey,
            enrollment_ids=picked,
            channel=channel,
            content=content,
            by=request.user,
        )
        messages.success(
            request,
            f"Message queued for {sent.queued} contact(s); {sent.deferred} held for quiet hours "
            f"or the daily limit; {sent.not_sent} not sent (opted out or no address).",
        )
    else:
        messages.error(request, "Choose what to do: exit, move on, or send a message.")
    return redirect(back)


@reports_view
def dropoff_csv(request: HttpRequest, key: str, step: str) -> StreamingHttpResponse:
    """Every contact of a drop-off list as CSV, streamed (a hundred thousand is fine)."""
    journey = _journey(key)
    filter, _ = read_filter(request, journey)
    spec, _ = report_spec(journey, filter)
    if not spec.has_step(step):
        raise Http404("No such step.")
    which = LEFT if request.GET.get("which") == LEFT else WAITING
    since = "Here since" if which == WAITING else "Left on"
    header = ["First name", "Last name", "Email", "Phone", "User ID", since, "Now"]

    def lines() -> Iterator[str]:
        yield to_csv(header, [])
        batch: list[list[str]] = []
        for first, last, email, phone, user_id, at, state in dropoff_export(
            journey, step, which, filter
        ):
            stamp = at.astimezone(UTC).isoformat(timespec="seconds") if at else ""  # ISO 8601
            batch.append(
                [first, last, email, phone, user_id or "", stamp, STATE_WORDS.get(state, state)]
            )
            if len(batch) == 5000:
                yield to_csv_rows(batch)
                batch = []
        if batch:
            yield to_csv_rows(batch)

    if connection.vendor == "postgresql":
        rows = dropoff_csv_copy(journey, step, which, filter, zone="UTC", words=STATE_WORDS)
        body: Iterator[str | bytes] = itertools.chain([to_csv(header, [])], rows)
    else:
        body = lines()
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journey.key}-{step}-{which}.csv"'
    return response
