"""Publishing: the confirmation with the diff in words and who is affected, pause and
resume, and the versions (history, read-only view, restore as the draft)."""

from __future__ import annotations

from dataclasses import astuple

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse

from journeys.builder.diff import document_changes
from journeys.builder.drafts import StaleDraft, draft_restore_version
from journeys.builder.http import EDIT, PUBLISH, VIEW, go, page, staff_view
from journeys.builder.names import draft_names, step_name
from journeys.builder.registry import type_label
from journeys.builder.rules import rule_sentences
from journeys.builder.selectors import open_by_step
from journeys.builder.workspace import canvas_context, checks_for
from journeys.core.problems import SpecError
from journeys.models import Journey
from journeys.run.journeys import (
    JourneyStateError,
    journey_pause,
    journey_publish,
    journey_resume,
)


def _affected(journey: Journey) -> tuple[int, list[str]]:
    counts = open_by_step(journey)
    total = sum(counts.values())
    names = draft_names(journey.draft_spec)
    where = [f"{count} at “{step_name(step, names)}”" for step, count in sorted(counts.items())]
    return total, where


@staff_view(PUBLISH, methods=("GET", "POST"))
def publish(request: HttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    live = journey.current_version
    problems: list[str] = []
    if request.method == "POST":
        moving = request.POST.get("migrate") == "move"
        try:
            version = journey_publish(
                journey=journey, by=request.user, migrate="move" if moving else "drain"
            )
        except SpecError:
            problems = ["The journey still has problems: fix them on the canvas first."]
        except JourneyStateError as exc:
            problems = [str(exc)]
        else:
            url = reverse("builder:canvas", args=[journey.key])
            return go(request, f"{url}?published={version.number}")
    found = checks_for(journey)
    changes = document_changes(
        live.spec if live else None, journey.draft_spec, type_label=type_label
    )
    total, where = _affected(journey)
    context = {
        "title": f"Publish {journey.name}?",
        "journey": journey,
        "live": live,
        "changes": [change.text for change in changes],
        "errors": [check for check in found if check.is_error],
        "warnings": [check for check in found if not check.is_error],
        "affected": total,
        "affected_where": where,
        "problems": problems,
        "rules": astuple(rule_sentences(journey.draft_spec)),
    }
    return page(request, "journeys/builder/publish.html", context, status=422 if problems else 200)


@staff_view(PUBLISH, methods=("GET", "POST"))
def status(request: HttpRequest, key: str, change: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    if change not in {"pause", "resume"}:
        return go(request, reverse("builder:canvas", args=[journey.key]))
    error = ""
    if request.method == "POST":
        try:
            (journey_pause if change == "pause" else journey_resume)(
                journey=journey, by=request.user
            )
        except JourneyStateError as exc:
            error = str(exc)
        else:
            return go(request, reverse("builder:canvas", args=[journey.key]))
    total, where = _affected(journey)
    context = {
        "title": f"{change.capitalize()} {journey.name}?",
        "journey": journey,
        "change": change,
        "affected": total,
        "affected_where": where,
        "error": error,
    }
    return page(request, "journeys/builder/status.html", context)


@staff_view(VIEW)
def versions(request: HttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    rows = []
    previous = None
    for version in journey.versions.select_related("published_by").order_by("number"):
        changes = document_changes(previous, version.spec, type_label=type_label)
        rows.append({"version": version, "changes": [c.text for c in changes][:8]})
        previous = version.spec
    rows.reverse()
    audit = journey.audit_entries.order_by("-at")[:50] if hasattr(journey, "audit_entries") else []
    context = {
        "title": f"{journey.name}: versions",
        "journey": journey,
        "rows": rows,
        "audit": audit,
    }
    context |= _comparison(journey, request.GET.get("from", ""), request.GET.get("to", ""))
    return page(request, "journeys/builder/versions.html", context)


def _comparison(journey: Journey, first: str, second: str) -> dict[str, object]:
    """Two versions' differences in words (step added, removed, field from → to)."""
    if not (first.isdigit() and second.isdigit()):
        return {}
    older = journey.versions.filter(number=int(first)).first()
    newer = journey.versions.filter(number=int(second)).first()
    if older is None or newer is None:
        return {"compare_problem": "There is no such version."}
    changes = document_changes(older.spec, newer.spec, type_label=type_label)
    return {
        "compared": (older.number, newer.number),
        "comparison": [change.text for change in changes],
    }


@staff_view(VIEW)
def version(request: HttpRequest, key: str, number: int) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    shown = get_object_or_404(journey.versions, number=number)
    context = canvas_context(journey, document=shown.spec, read_only=True)
    context |= {"title": f"{journey.name}, version {number}", "shown": shown, "traits": []}
    return page(request, "journeys/builder/version.html", context)


@staff_view(EDIT, methods=("POST",))
def restore(request: HttpRequest, key: str, number: int) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    try:
        draft_restore_version(
            journey=journey, revision=journey.draft_revision, number=number, by=request.user
        )
    except (JourneyStateError, StaleDraft):
        pass
    return go(request, reverse("builder:canvas", args=[journey.key]))
