"""The journey list: every journey with its figures, and new / import / export / duplicate /
archive."""

from __future__ import annotations

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from journeys.builder.drafts import journey_create, journey_duplicate, journey_import_document
from journeys.builder.forms.journeys import ImportForm, NewJourneyForm
from journeys.builder.http import CREATE, PUBLISH, VIEW, go, page, staff_view, toast
from journeys.builder.library import TEMPLATES, template
from journeys.builder.paths import place
from journeys.builder.selectors import STATUS_FILTERS, journey_rows
from journeys.core.problems import SpecError
from journeys.models import Journey
from journeys.run.journeys import JourneyStateError, journey_archive


class HtmxHttpRequest(HttpRequest):
    htmx: HtmxDetails


@staff_view(VIEW)
def journey_list(request: HtmxHttpRequest) -> HttpResponse:
    show = request.GET.get("show", "all")
    show = show if show in STATUS_FILTERS else "all"
    search = request.GET.get("q", "").strip()[:100]
    rows = journey_rows(now=timezone.now(), show=show, search=search)
    context = {
        "title": "Journeys",
        "rows": rows,
        "show": show,
        "filters": [(key, label) for key, (label, _) in STATUS_FILTERS.items()],
        "search": search,
        "new_form": NewJourneyForm(),
        "templates": TEMPLATES,
    }
    if request.htmx and request.htmx.target == "journey-table":
        return page(request, "journeys/builder/list.html#journey-table", context)
    return page(request, "journeys/builder/list.html", context)


@staff_view(CREATE, methods=("POST",))
def journey_new(request: HtmxHttpRequest) -> HttpResponse:
    form = NewJourneyForm(request.POST)
    if not form.is_valid():
        return page(
            request,
            "journeys/builder/list.html#new-journey",
            {"new_form": form, "templates": TEMPLATES},
            status=422,
        )
    chosen = template(form.cleaned_data["start"])
    journey = journey_create(
        name=form.cleaned_data["name"],
        by=request.user,
        document=chosen.fresh() if chosen is not None else None,
    )
    return go(request, reverse("builder:canvas", args=[journey.key]))


@staff_view(CREATE, methods=("GET", "POST"))
def journey_import(request: HtmxHttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    problems: list[dict[str, str]] = []
    if request.method == "POST" and form.is_valid():
        document = form.cleaned_data["document"]
        try:
            journey = journey_import_document(
                data=document, by=request.user, replace=form.cleaned_data["replace"]
            )
        except SpecError as exc:
            problems = [
                {"where": place(document, problem.path).words, "what": problem.message}
                for problem in exc.problems
            ]
        except JourneyStateError as exc:
            problems = [{"where": "", "what": str(exc)}]
        else:
            return go(request, reverse("builder:canvas", args=[journey.key]))
    status = 422 if request.method == "POST" else 200
    context = {"title": "Import a journey", "form": form, "problems": problems}
    return page(request, "journeys/builder/import.html", context, status=status)


@staff_view(VIEW)
def journey_export(request: HtmxHttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    body = json.dumps(journey.draft_spec, indent=2, ensure_ascii=False) + "\n"
    response = HttpResponse(body, content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{journey.key}.journey.json"'
    return response


@staff_view(CREATE, methods=("POST",))
def journey_copy(request: HtmxHttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    copied = journey_duplicate(journey=journey, by=request.user)
    return go(request, reverse("builder:canvas", args=[copied.key]))


@staff_view(PUBLISH, methods=("GET", "POST"))
def journey_archive_view(request: HtmxHttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    open_count = journey.enrollments.filter(state__in=["active", "waiting"]).count()
    if request.method == "POST":
        try:
            journey_archive(journey=journey, by=request.user)
        except JourneyStateError as exc:
            return toast(request, str(exc), status=409)
        return go(request, reverse("builder:journey-list") + "?show=archived")
    context = {"title": f"Archive {journey.name}?", "journey": journey, "open_count": open_count}
    return page(request, "journeys/builder/archive.html", context)
