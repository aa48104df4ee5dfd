"""The canvas's side panels: validation, live preview, test send; and the outline view."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone

from channels.base import FIELD_LABELS, template_problem_words
from channels.delivery.queue import preview_context, render_preview, test_send
from channels.registry import channel_facts, get_channel
from channels.rendering import MessageContent
from journeys.admin.staff_views import allowed
from journeys.builder.cards import step_cards
from journeys.builder.dryrun import ScriptError, default_script, parse_script_text, timeline
from journeys.builder.graph import steps_of
from journeys.builder.http import EDIT, VIEW, fragment, page, staff_view
from journeys.builder.names import draft_names, step_name
from journeys.builder.reach import FilledWith, preview_events, reach_names
from journeys.builder.selectors import contact_search, people_at_step
from journeys.builder.typed import sent_content, sent_languages
from journeys.builder.workspace import canvas_context, checks_for
from journeys.core.engine import ContactView
from journeys.core.languages import DEFAULT_LANGUAGE, choose_language, language_name
from journeys.core.problems import SpecError
from journeys.core.simulate import simulate
from journeys.core.steps.base import step_names
from journeys.models import Contact, Journey
from journeys.people.staff import test_address_for, test_address_remember
from journeys.run.backtest import backtest
from journeys.run.engine_views import contact_view
from journeys.run.journeys import journey_parse

SAMPLE_TRAITS = {"first_name": "Ada", "plan": "pro", "email": "ada@example.com"}
SAMPLE_CONTACT: dict[str, Any] = {
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "phone": "+447700900123",
    "traits": {"first_name": "Ada", "plan": "pro"},
}


@staff_view(VIEW)
def checks(request: HttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    found = checks_for(journey)
    errors = [check for check in found if check.is_error]
    context = {"journey": journey, "checks": found, "errors": errors}
    context["warnings"] = [check for check in found if not check.is_error]
    return fragment(request, "journeys/builder/panels.html#checks", context)


def _raw_step(journey: Journey, step_id: str) -> dict[str, Any]:
    for step in steps_of(journey.draft_spec):
        if step.get("id") == step_id:
            return step
    raise Http404("That step is no longer in the journey.")


def _preview_for(
    request: HttpRequest, journey: Journey, step_id: str
) -> tuple[Contact | None, dict[str, Any], list[FilledWith]]:
    """Who the preview is for, what the step's templates see for them (the events in reach
    there, as delivery fills them in) and what each event was filled with."""
    contact = contact_search(request.GET.get("contact", "") or request.POST.get("contact", ""))
    names = reach_names(journey.draft_spec, step_id)
    seen, filled = preview_events(names, contact.pk if contact is not None else None)
    meta = {"name": journey.name, "key": journey.key}
    if contact is not None:
        context = preview_context(contact_id=contact.pk, journey=meta, **seen)
        return contact, context, filled
    return None, {"contact": SAMPLE_CONTACT, "journey": meta, **seen}, filled


def _content(variant: Mapping[str, Any]) -> MessageContent:
    fields = {name: str(variant.get(name) or "") for name in FIELD_LABELS}
    return MessageContent(**fields)


def _pretty_json(text: str) -> str:
    """A webhook body as indented JSON (as sent, when it is not JSON)."""
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        return text


@staff_view(VIEW)
def preview(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    raw = _raw_step(journey, step)
    contact, context, filled = _preview_for(request, journey, step)
    language, languages = _preview_language(request, journey, raw, contact)
    channel, variants = sent_content(raw, channel_facts(), language)
    shown = []
    for variant in variants:
        rendered = render_preview(channel, _content(variant), context)
        shown.append(
            {
                "name": variant.get("name", ""),
                "rendered": rendered,
                "problems": [template_problem_words(problem) for problem in rendered.problems],
                "cta": variant.get("cta") or "Open",
                "json": _pretty_json(rendered.text),
            }
        )
    person = str(contact) if contact is not None else ""
    asked = request.GET.get("contact", "").strip()
    view = {
        "journey": journey,
        "step_id": step,
        "channel": get_channel(channel),
        "variants": shown,
        "person": person,
        "asked": asked,
        "contact_found": contact is not None,
        "filled": filled,
        "language": language,
        "languages": languages,
        "test_to": _test_to(request, channel),
        "can_edit": allowed(request.user, EDIT),
    }
    return fragment(request, "journeys/builder/panels.html#preview", view)


def _preview_language(
    request: HttpRequest, journey: Journey, raw: Mapping[str, Any], contact: Contact | None
) -> tuple[str, list[tuple[str, str]]]:
    """The version shown ("" the default): the one asked for, else the chosen contact's
    (as the worker chooses it), and the step's languages as (code, name) tabs."""
    codes = sent_languages(raw, channel_facts())
    default = str(journey.draft_spec.get("language") or DEFAULT_LANGUAGE)
    tabs = [("", f"{language_name(default) or default} (the default version)")]
    tabs += [(code, language_name(code) or code) for code in codes]
    asked = request.GET.get("language", request.POST.get("language"))
    if asked is not None and (asked == "" or asked in codes):
        return asked, tabs
    if contact is not None and codes:
        return choose_language(contact.locale, codes, default).code, tabs
    return "", tabs


@staff_view(EDIT, methods=("POST",))
def test_send_view(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    raw = _raw_step(journey, step)
    language = request.POST.get("language", "")
    channel, variants = sent_content(raw, channel_facts(), language)
    name = request.POST.get("variant", "")
    variant = next((v for v in variants if v.get("name") == name), None)
    found = get_channel(channel)
    if found is None or not found.test_send:
        words = found.noun if found is not None else "a message on this channel"
        return _sent(request, f"Not sent: {words} cannot be sent as a test.", error=True)
    contact, context, _ = _preview_for(request, journey, step)
    if contact is None:
        contact = Contact.objects.order_by("-last_seen_at").first()
    if variant is None or contact is None:
        text = (
            "There is no contact yet to fill in the message with: send an event first."
            if contact is None
            else "That variant is no longer in the step."
        )
        return _sent(request, text, error=True)
    to = request.POST.get("to", "").strip()
    if found.test_send != "browser":  # the browser's own subscription is never typed
        to = to or _test_to(request, channel)
        if not to:
            return _sent(request, f"Not sent: type your {found.address_words} first.", error=True)
    try:
        queued = test_send(
            channel=channel,
            content=_content(variant),
            contact_id=contact.pk,
            to_address=to,
            context={key: context.get(key, {}) for key in ("event", "events", "journey")},
        )
    except ValueError as exc:
        return _sent(request, f"Not sent: {exc}", error=True)
    status = getattr(queued, "status", "queued")
    if status == "suppressed":
        return _sent(request, "Not sent: this channel is switched off.", error=True)
    if found.test_send == "browser":  # the address is this browser's subscription
        return _sent(request, f"Test of variant {name} sent to this browser, for {contact}.")
    test_address_remember(request.user, channel, to)
    return _sent(request, f"Test of variant {name} sent to {to}, filled in for {contact}.")


def _test_to(request: HttpRequest, channel_key: str) -> str:
    """Where this staff member's test on this channel goes first (people.staff)."""
    found = get_channel(channel_key)
    by_email = found is not None and found.contact_field == "email"
    return test_address_for(request.user, channel_key, by_email=by_email)


def _sent(request: HttpRequest, text: str, *, error: bool = False) -> HttpResponse:
    context = {"text": text, "error": error}
    return fragment(request, "journeys/builder/panels.html#sent", context)


@staff_view(VIEW)
def outline(request: HttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    context = canvas_context(journey, read_only=True)
    rows: list[dict[str, Any]] = []
    _outline(context["items"], 0, "", rows)
    for group in context["unconnected"]:
        _outline(group, 0, "Not connected", rows)
    context |= {"title": f"{journey.name}: outline", "rows": rows}
    return page(request, "journeys/builder/panels.html", context)


def _outline(
    items: list[dict[str, Any]], depth: int, lane: str, rows: list[dict[str, Any]]
) -> None:
    for item in items:
        if item["kind"] in {"card", "fork"} and item["card"] is not None:
            rows.append({"depth": depth, "lane": lane, "card": item["card"], "kind": "card"})
            lane = ""
        if item["kind"] == "fork":
            for sub in item["lanes"]:
                _outline(sub["items"], depth + 1, sub["label"], rows)
        elif item["kind"] == "jump":
            rows.append(
                {
                    "depth": depth,
                    "lane": lane,
                    "kind": "jump",
                    "text": f"Then goes to {item['target']}",
                }
            )
        elif item["kind"] == "end":
            rows.append({"depth": depth, "lane": lane, "kind": "end", "text": "End of the journey"})


@staff_view(VIEW, methods=("GET", "POST"))
def dry_run(request: HttpRequest, key: str) -> HttpResponse:
    """The simulator beside the canvas: a contact (or a sample) and a script of events."""
    journey = get_object_or_404(Journey, key=key)
    script = request.POST.get("script", "") or default_script(journey.draft_spec)
    context: dict[str, Any] = {"journey": journey, "script": script[:5000], "ran": False}
    if request.method == "POST":
        context["ran"] = True
        start = timezone.now()
        contact = contact_search(request.POST.get("contact", ""))
        context["person"] = str(contact) if contact is not None else "a sample person, Ada"
        try:
            spec = journey_parse(data=journey.draft_spec)
            events = parse_script_text(script, start=start)
        except SpecError:
            context["problem"] = (
                "Fix the problems in the panel above first: "
                "the dry run needs a journey that could be published."
            )
        except ScriptError as exc:
            context["problem"] = str(exc)
        else:
            view = (
                contact_view(contact)
                if contact is not None
                else ContactView(id="dry-run", traits=SAMPLE_TRAITS)
            )
            result = simulate(spec, contact=view, script=events, start=start)
            rows, reached = timeline(result, start=start, names=step_names(spec.steps))
            context |= {"rows": rows, "reached": " ".join(dict.fromkeys(reached))}
    return fragment(request, "journeys/builder/panels.html#dry-run", context)


@staff_view(VIEW)
def people(request: HttpRequest, key: str, step: str) -> HttpResponse:
    """Who is at a step now and who passed it, each linked to their contact page (trace)."""
    journey = get_object_or_404(Journey, key=key)
    rows = people_at_step(journey, step)
    label = step_name(step, draft_names(journey.draft_spec))
    context = {
        "title": f"{journey.name}: {label}",
        "journey": journey,
        "step_label": label,
        "rows": rows,
    }
    return page(request, "journeys/builder/people.html", context)


BACKTEST_MAX_DAYS = 90


@staff_view(VIEW, methods=("POST",))
def backtest_view(request: HttpRequest, key: str) -> HttpResponse:
    """Replay the last N days of real events through the draft: who would have entered,
    and how many would have reached each card."""
    journey = get_object_or_404(Journey, key=key)
    try:
        days = max(1, min(BACKTEST_MAX_DAYS, int(request.POST.get("days", "30"))))
    except ValueError:
        days = 30
    context: dict[str, Any] = {"journey": journey, "days": days}
    try:
        spec = journey_parse(data=journey.draft_spec)
    except SpecError:
        context["problem"] = "Fix the problems in the panel above first."
        return fragment(request, "journeys/builder/panels.html#backtest", context)
    until = timezone.now()
    result = backtest(spec, since=until - timedelta(days=days), until=until)
    cards = step_cards(journey.draft_spec)
    context |= {
        "result": result,
        "reached": [
            (
                cards[step.id].name if step.id in cards else step_name(step.id),
                result.reached[step.id],
            )
            for step in spec.steps
        ],
    }
    return fragment(request, "journeys/builder/panels.html#backtest", context)
