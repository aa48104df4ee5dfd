"""The canvas: one journey's draft as cards and lanes, with the side-panel editor.

Every change posts the draft revision the person saw (`#draft-revision`); a change made
on an older one is refused with the other person's changes shown and what was typed kept.
A change answers with the editor panel and, out of band, the canvas and the undo/redo bar;
its `draft-changed` event makes the validation panel reload itself.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from journeys.admin.staff_views import allowed
from journeys.builder.channels import channel_fields_attr
from journeys.builder.drafts import (
    DraftTooLarge,
    NothingToUndo,
    StaleDraft,
    draft_change,
    draft_redo,
    draft_undo,
)
from journeys.builder.forms import step_editor as editors
from journeys.builder.forms.trigger import (
    TriggerForm,
    audience_formset,
    trigger_document,
    trigger_initial,
)
from journeys.builder.graph import (
    EditRefused,
    delete_step,
    duplicate_step,
    ends_journey,
    insert_step,
    move_step,
    named,
    orphaned_by_delete,
    rename_step,
    replace_step,
    steps_of,
)
from journeys.builder.http import EDIT, VIEW, fragment, page, staff_view, toast
from journeys.builder.names import draft_step_name, name_of
from journeys.builder.picker import picker_for
from journeys.builder.registry import type_label
from journeys.builder.selectors import trait_keys
from journeys.builder.workspace import canvas_context
from journeys.core.steps import STEP_TYPES
from journeys.models import Journey
from journeys.run.journeys import JourneyStateError

CANVAS = "journeys/builder/canvas.html"
MAX_MOVE = 50


def _journey(key: str) -> Journey:
    return get_object_or_404(Journey, key=key)


def _revision(request: HttpRequest) -> int:
    try:
        return int(request.POST.get("revision", ""))
    except ValueError:
        return -1


def _preview_contact(request: HttpRequest) -> str:
    """The contact typed in "Preview as", sent along so a save or another card keeps it."""
    asked = request.POST if request.method == "POST" else request.GET
    return str(asked.get("contact", ""))[:200]


def _read_only(request: HttpRequest, journey: Journey) -> bool:
    return not allowed(request.user, EDIT) or journey.status == Journey.Status.ARCHIVED


@staff_view(VIEW)
def canvas(request: HttpRequest, key: str) -> HttpResponse:
    journey = _journey(key)
    context = canvas_context(journey, read_only=_read_only(request, journey))
    context |= {"title": journey.name, "traits": trait_keys(), "editor": None}
    open_step = request.GET.get("step", "")
    if open_step and any(s.get("id") == open_step for s in steps_of(journey.draft_spec)):
        context |= _editor_context(request, journey, open_step)
    return page(request, CANVAS, context)


def _raw_step(journey: Journey, step_id: str) -> dict[str, Any]:
    for step in steps_of(journey.draft_spec):
        if step.get("id") == step_id:
            return step
    raise Http404("That step is no longer in the journey.")


def _editor_context(
    request: HttpRequest,
    journey: Journey,
    step_id: str,
    *,
    post: Any = None,
    form: Any = None,
    sets: Mapping[str, Any] | None = None,
    stale: StaleDraft | None = None,
) -> dict[str, Any]:
    raw = _raw_step(journey, step_id)
    editor = editors.editor_for(str(raw.get("type", "")))
    if form is None:
        form = editor.form(raw=raw)
        sets = editor.formsets(raw)
    return {
        "editor": editor,
        "step_id": step_id,
        "step_label": name_of(raw),
        "step_type_label": type_label(str(raw.get("type", ""))),
        "previews": editor.step_type.previews,
        "form": form,
        "sets": sets or {},
        "channel_fields": channel_fields_attr(),
        "picker": picker_for(journey.draft_spec, step_id, editor.step_type),
        "raw_step": raw,
        "stale": stale,
        "preview_contact": _preview_contact(request),
    }


def _changed(
    request: HttpRequest,
    journey: Journey,
    *,
    editor_step: str | None = None,
    message: str = "",
    status: int = 200,
    extra: Mapping[str, Any] | None = None,
) -> HttpResponse:
    """The editor panel (for `editor_step`, or closed), with the canvas and history OOB."""
    journey.refresh_from_db()
    context = canvas_context(journey, read_only=_read_only(request, journey))
    context |= {"traits": trait_keys(), "editor": None, "message": message, "oob": True}
    if editor_step and any(s.get("id") == editor_step for s in steps_of(journey.draft_spec)):
        context |= _editor_context(request, journey, editor_step)
    context |= dict(extra or {})
    response = fragment(request, f"{CANVAS}#changed", context, status=status)
    # The element that asked is often swapped away, so builder.js re-sends this on <body>.
    response["HX-Trigger"] = "draft-saved"
    return response


def _apply(
    request: HttpRequest,
    journey: Journey,
    document: Mapping[str, Any],
    *,
    summary: str = "",
    step_key: str = "",
    coalesce: bool = False,
) -> None:
    draft_change(
        journey=journey,
        revision=_revision(request),
        document=document,
        by=request.user,
        summary=summary,
        step_key=step_key,
        coalesce=coalesce,
    )


def _stale_words(exc: StaleDraft) -> list[str]:
    return [f"{change.by_label or 'Someone'}: {change.summary}" for change in exc.changes]


@staff_view(VIEW, methods=("GET", "POST"))
def step_editor(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = _journey(key)
    if request.method == "GET":
        context = canvas_context(journey, read_only=_read_only(request, journey))
        context |= _editor_context(request, journey, step) | {"traits": trait_keys()}
        return fragment(request, f"{CANVAS}#editor", context)
    if _read_only(request, journey):
        return toast(request, "You can look at this journey but not change it.", status=403)
    raw = _raw_step(journey, step)
    editor = editors.editor_for(str(raw.get("type", "")))
    form = editor.form(request.POST)
    sets = editor.formsets(raw, post=request.POST)
    action = request.POST.get("variant_action", "")
    if action == "add" and "variants" in sets:
        return _variant_added(request, journey, step, form, sets)
    valid = form.is_valid() and all(formset.is_valid() for formset in sets.values())
    if not valid:
        context = canvas_context(journey, read_only=False) | {"traits": trait_keys()}
        context |= _editor_context(request, journey, step, form=form, sets=sets)
        context["message"] = "Not saved yet: see the fields marked below."
        return fragment(request, f"{CANVAS}#editor", context, status=422)
    name = form.cleaned_data.get("name", "") or name_of(raw)
    new_raw = named(editor.build(raw, form.cleaned_data, sets), name)
    document = replace_step(journey.draft_spec, step, new_raw, outlets=editors.outlets)
    new_id = step
    if name != name_of(raw):
        document, new_id = rename_step(document, step, name, outlets=editors.outlets)
    try:
        _apply(request, journey, document, step_key=new_id, coalesce=True)
    except StaleDraft as exc:
        context = canvas_context(exc.journey, read_only=False) | {"traits": trait_keys()}
        context |= _editor_context(request, exc.journey, step, form=form, sets=sets, stale=exc)
        context |= {"stale_changes": _stale_words(exc), "oob": True}
        return fragment(request, f"{CANVAS}#stale", context, status=409)
    except (JourneyStateError, DraftTooLarge) as exc:
        return toast(request, str(exc), status=409)
    return _changed(request, journey, editor_step=new_id, message="Saved.")


def _variant_added(
    request: HttpRequest, journey: Journey, step: str, form: Any, sets: Mapping[str, Any]
) -> HttpResponse:
    """The editor again with one more, empty variant (nothing saved until Save)."""
    data = request.POST.copy()
    total = int(data.get("variant-TOTAL_FORMS", "0") or 0)
    names = {data.get(f"variant-{i}-name", "") for i in range(total)}
    letter = next((chr(65 + i) for i in range(26) if chr(65 + i) not in names), "New")
    data[f"variant-{total}-name"] = letter
    data[f"variant-{total}-weight"] = "1"
    data["variant-TOTAL_FORMS"] = str(total + 1)
    raw = _raw_step(journey, step)
    editor = editors.editor_for(str(raw.get("type", "")))
    form = editor.form(data)
    sets = editor.formsets(raw, post=data)
    form.is_valid()
    for formset in sets.values():
        formset.is_valid()
    context = canvas_context(journey, read_only=False) | {"traits": trait_keys()}
    context |= _editor_context(request, journey, step, form=form, sets=sets)
    context["message"] = f"Variant {letter} added: fill it in, then save."
    return fragment(request, f"{CANVAS}#editor", context)


@staff_view(EDIT, methods=("POST",))
def step_insert(request: HttpRequest, key: str) -> HttpResponse:
    journey = _journey(key)
    type_key = request.POST.get("type", "")
    if type_key not in STEP_TYPES:
        return toast(request, "Choose a kind of step to add.", status=422)
    source = request.POST.get("source") or None
    outcome = request.POST.get("outcome") or None
    new_step = copy.deepcopy(editors.editor_for(type_key).blank())
    try:
        document = insert_step(
            journey.draft_spec,
            source=source,
            outcome=outcome,
            new_step=new_step,
            outlets=editors.outlets,
        )
        added = _added_id(journey.draft_spec, document)
        message = f"Added “{draft_step_name(document, added)}”: fill it in."
        _apply(request, journey, document, step_key=added)
    except EditRefused as exc:
        return _changed(request, journey, message=str(exc), status=409)
    except StaleDraft as exc:
        return _changed(request, journey, message=_stale_message(exc), status=409)
    return _changed(request, journey, editor_step=added, message=message)


def _added_id(before: Mapping[str, Any], after: Mapping[str, Any]) -> str:
    old = {step.get("id") for step in steps_of(before)}
    return next(
        (
            str(s.get("id"))
            for s in steps_of(after)
            if s.get("id") not in old and not ends_journey(s)
        ),
        next((str(s.get("id")) for s in steps_of(after) if s.get("id") not in old), ""),
    )


def _stale_message(exc: StaleDraft) -> str:
    return f"{exc} Nothing was changed; the canvas now shows their version: " + "; ".join(
        _stale_words(exc)
    )


@staff_view(VIEW, methods=("GET", "POST"))
def step_delete(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = _journey(key)
    _raw_step(journey, step)
    if request.method == "GET":
        orphans = orphaned_by_delete(journey.draft_spec, step, outlets=editors.outlets)
        context = {
            "journey": journey,
            "step_id": step,
            "step_label": draft_step_name(journey.draft_spec, step),
            "orphans": [draft_step_name(journey.draft_spec, orphan) for orphan in orphans],
            "revision": journey.draft_revision,
        }
        return fragment(request, f"{CANVAS}#delete-confirm", context)
    if _read_only(request, journey):
        return toast(request, "You can look at this journey but not change it.", status=403)
    name = draft_step_name(journey.draft_spec, step)
    try:
        document = delete_step(journey.draft_spec, step, outlets=editors.outlets)
        _apply(request, journey, document)
    except EditRefused as exc:
        return _changed(request, journey, message=str(exc), status=409)
    except StaleDraft as exc:
        return _changed(request, journey, message=_stale_message(exc), status=409)
    return _changed(request, journey, message=f"Deleted “{name}”. Undo brings it back.")


@staff_view(EDIT, methods=("POST",))
def step_duplicate(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = _journey(key)
    try:
        document = duplicate_step(journey.draft_spec, step, outlets=editors.outlets)
        added = _added_id(journey.draft_spec, document)
        name = draft_step_name(document, added)
        _apply(request, journey, document, step_key=added)
    except EditRefused as exc:
        return _changed(request, journey, editor_step=step, message=str(exc), status=409)
    except StaleDraft as exc:
        return _changed(request, journey, message=_stale_message(exc), status=409)
    return _changed(request, journey, editor_step=added, message=f"Copied as “{name}”.")


@staff_view(EDIT, methods=("POST",))
def step_move(request: HttpRequest, key: str, step: str) -> HttpResponse:
    journey = _journey(key)
    direction = -1 if request.POST.get("direction") == "up" else 1
    try:
        places = max(1, min(MAX_MOVE, int(request.POST.get("places", "1"))))
    except ValueError:
        places = 1
    try:
        document: Mapping[str, Any] = journey.draft_spec
        for _ in range(places):  # a drag moves a card several places at once
            document = move_step(document, step, direction, outlets=editors.outlets)
        way = "up" if direction < 0 else "down"
        _apply(
            request, journey, document, summary=f"Moved “{draft_step_name(document, step)}” {way}"
        )
    except EditRefused as exc:
        return _changed(request, journey, editor_step=step, message=str(exc), status=409)
    except StaleDraft as exc:
        return _changed(request, journey, message=_stale_message(exc), status=409)
    return _changed(request, journey, editor_step=step, message="Moved.")


@staff_view(EDIT, methods=("POST",))
def history_step(request: HttpRequest, key: str, way: str) -> HttpResponse:
    journey = _journey(key)
    do = draft_undo if way == "undo" else draft_redo
    try:
        change = do(journey=journey, revision=_revision(request), by=request.user)
    except NothingToUndo as exc:
        return _changed(request, journey, message=str(exc), status=409)
    except StaleDraft as exc:
        return _changed(request, journey, message=_stale_message(exc), status=409)
    verb = "Undone" if way == "undo" else "Redone"
    return _changed(request, journey, message=f"{verb}: {change.summary}")


@staff_view(VIEW, methods=("GET", "POST"))
def trigger_editor(request: HttpRequest, key: str) -> HttpResponse:
    journey = _journey(key)
    context = canvas_context(journey, read_only=_read_only(request, journey))
    context |= {"traits": trait_keys(), "step_id": "", "editing_trigger": True}
    if request.method == "GET":
        form = TriggerForm(initial=trigger_initial(journey.draft_spec))
        sets = {
            "where": TriggerForm.filters(journey.draft_spec),
            "audience": audience_formset(journey.draft_spec),
        }
        return fragment(request, f"{CANVAS}#trigger-editor", context | {"form": form, "sets": sets})
    if _read_only(request, journey):
        return toast(request, "You can look at this journey but not change it.", status=403)
    form = TriggerForm(request.POST)
    filters = TriggerForm.filters(journey.draft_spec, post=request.POST)
    # A form without the audience part (an older page) leaves the audience as it was.
    audience = (
        audience_formset(journey.draft_spec, post=request.POST)
        if "audience-TOTAL_FORMS" in request.POST
        else None
    )
    sets = {"where": filters} | ({"audience": audience} if audience is not None else {})
    if not (form.is_valid() and all(formset.is_valid() for formset in sets.values())):
        context |= {"form": form, "sets": sets, "message": "Not saved yet: see below."}
        return fragment(request, f"{CANVAS}#trigger-editor", context, status=422)
    document = trigger_document(journey.draft_spec, form.cleaned_data, filters, audience)
    try:
        _apply(request, journey, document, step_key="(trigger)", coalesce=True)
    except StaleDraft as exc:
        context = canvas_context(exc.journey) | {"traits": trait_keys(), "editing_trigger": True}
        context |= {"form": form, "sets": sets, "oob": True}
        context |= {"stale": exc, "stale_changes": _stale_words(exc)}
        return fragment(request, f"{CANVAS}#trigger-stale", context, status=409)
    return _changed(request, journey, message="Saved.")
