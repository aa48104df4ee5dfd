"""Report pages, inside the admin (its login and look). Thin: read the filter, build the
report (journeys.reports.reading), render. Needs journeys.view_reports; nothing here edits
a journey."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import admin, messages
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from channels.registry import all_channels, get_channel
from journeys.core.steps.base import step_label
from journeys.models import Journey
from journeys.reports.charts import funnel_svg, trend_svg
from journeys.reports.export import TABLES, to_csv, to_csv_rows
from journeys.reports.reading import journey_report
from journeys.reports.report import cohorts
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
from journeys.reports.words import duration, number, percent
from journeys.run.dropoff import dropoff_exit, dropoff_move_on, dropoff_send
from journeys.templatetags.staff import STAFF_DATE_FORMAT

VIEW_REPORTS = "journeys.view_reports"
View = Callable[..., HttpResponse | StreamingHttpResponse]


def reports_view(view: View) -> View:
    """Behind the admin's login; people without journeys.view_reports get a plain page."""

    @wraps(view)
    def inner(
        request: HttpRequest, *args: Any, **kwargs: Any
    ) -> HttpResponse | StreamingHttpResponse:
        if not request.user.has_perm(VIEW_REPORTS):
            return page(
                request,
                "reports/refused.html",
                {"title": "Reports"},
                status=403,
            )
        return view(request, *args, **kwargs)

    return admin.site.admin_view(require_GET(inner))


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, status: int = 200
) -> TemplateResponse:
    full = {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, **context}
    return TemplateResponse(request, template, full, status=status)


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
    """Every live journey: entrants, conversion and the last twelve weeks' trend."""
    rows = []
    for journey in live_journeys():
        weeks = list(reversed(cohorts(report_days(journey, Filter(), None), weeks=12)))
        entered = sum(w.entered for w in weeks)
        converted = sum(w.converted for w in weeks)
        rates = [100 * w.rate for w in weeks]
        label = f"Weekly conversion of {journey.name}, oldest first: " + (
            ", ".join(percent(r) for r in rates) or "no entrants yet"
        )
        rows.append(
            {
                "journey": journey,
                "entered": number(entered),
                "converted": number(converted),
                "rate": percent(100 * converted / entered) if entered else "—",
                "trend": mark_safe(trend_svg(rates, label=label)),  # noqa: S308 - escaped SVG
                "url": reverse("reports:journey", args=[journey.key]),
            }
        )
    return page(request, "reports/overview.html", {"title": "Journey reports", "rows": rows})


@reports_view
def journey_page(request: HttpRequest, key: str) -> HttpResponse:
    journey = _journey(key)
    filter, problems = read_filter(request, journey)
    report = journey_report(journey, filter)
    tables = {name: build(report) for name, (_, build) in TABLES.items()}
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
            "tables": tables,
            "query": query,
            "now": timezone.now(),
            "ttc_median": duration(report.funnel.ttc_median),
            "ttc_p90": duration(report.funnel.ttc_p90),
        },
    )


@reports_view
def table_csv(request: HttpRequest, key: str, table: str) -> HttpResponse:
    if table not in TABLES:
        raise Http404("No such table.")
    journey = _journey(key)
    filter, _ = read_filter(request, journey)
    report = journey_report(journey, filter)
    body = to_csv(*TABLES[table][1](report))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journey.key}-{table}.csv"'
    return response


ACT = "journeys.change_journey"  # "Journey editors"; report viewers only look
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
            "can_act": request.user.has_perm(ACT),
            "channels": one_off_channels(),
        },
    )


def _person(contact: Any) -> str:
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    address = contact.email or contact.phone or contact.user_id or "an anonymous visitor"
    return f"{name} ({address})" if name else address


@admin.site.admin_view
@require_POST
def dropoff_action(request: HttpRequest, key: str, step: str) -> HttpResponse:
    """Exit, move on or message the contacts picked in a drop-off list; each audited."""
    if not (request.user.has_perm(VIEW_REPORTS) and request.user.has_perm(ACT)):
        return page(request, "reports/refused.html", {"title": "Reports", "act": True}, status=403)
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
    header = ["First name", "Last name", "Email", "Phone", "User id", since, "Now"]

    zone = timezone.get_current_timezone()

    def lines() -> Iterator[str]:
        yield to_csv(header, [])
        batch: list[list[str]] = []
        for first, last, email, phone, user_id, at, state in dropoff_export(
            journey, step, which, filter
        ):
            stamp = at.astimezone(zone).strftime(STAFF_DATE_FORMAT) if at else ""
            batch.append(
                [first, last, email, phone, user_id or "", stamp, STATE_WORDS.get(state, state)]
            )
            if len(batch) == 5000:
                yield to_csv_rows(batch)
                batch = []
        if batch:
            yield to_csv_rows(batch)

    if connection.vendor == "postgresql":
        zone_name = str(timezone.get_current_timezone())
        rows = dropoff_csv_copy(journey, step, which, filter, zone=zone_name, words=STATE_WORDS)
        body: Iterator[str | bytes] = itertools.chain([to_csv(header, [])], rows)
    else:
        body = lines()
    response = StreamingHttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{journey.key}-{step}-{which}.csv"'
    return response
