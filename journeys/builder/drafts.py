"""Drafts being built in the browser: create, change, undo, redo, restore, duplicate, import.

A draft may be unfinished (a wait with no event yet): it is stored as typed and checked
by the format's own parser when it is validated or published. Every change carries the
revision it was made on; a change made on an older revision is refused with the changes
made since (`StaleDraft`), so two staff never overwrite each other. Each change lands in
the edit history (undo/redo) and in the audit log with the diff in words.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from journeys.builder.diff import change_texts, document_changes, summarize
from journeys.builder.registry import type_label
from journeys.core.spec import FORMAT
from journeys.models import AuditEntry, DraftChange, Journey
from journeys.people.audit import actor_name, audit_record, staff_user
from journeys.run.journeys import JourneyStateError, journey_parse

User = AbstractBaseUser | AnonymousUser | None
MAX_DRAFT_BYTES = 1_000_000
HISTORY_KEPT = 200  # changes kept per journey for undo (the issue asks for at least 50)
# Saves of one step by one person this close together are one change to undo (autosave
# sends one per pause in typing).
COALESCE_WITHIN = timedelta(seconds=30)


class StaleDraft(Exception):
    """The draft changed since the revision the save was made on; `changes` says how."""

    def __init__(self, *, journey: Journey, changes: list[DraftChange]) -> None:
        self.journey = journey
        self.changes = changes
        who = sorted({change.by_label or "someone" for change in changes})
        super().__init__(
            f"{' and '.join(who) or 'Someone'} changed this journey after you opened it."
        )


class DraftTooLarge(ValueError):
    """A draft over MAX_DRAFT_BYTES."""


class NothingToUndo(Exception):
    """Undo (or redo) with no change left to undo (or redo)."""


def blank_document(*, key: str, name: str) -> dict[str, Any]:
    """A new journey: a name and nothing else yet (the builder asks for the rest)."""
    return {"format": FORMAT, "key": key, "name": name, "trigger": {}, "steps": []}


def unique_key(name: str) -> str:
    """A free journey key from a name: "Trial ending" → "trial-ending" (or "trial-ending-2")."""
    base = slugify(name)[:90].strip("-") or "journey"
    taken = set(Journey.objects.filter(key__startswith=base).values_list("key", flat=True))
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"


@transaction.atomic
def journey_create(
    *,
    name: str,
    by: User,
    document: Mapping[str, Any] | None = None,
    key: str = "",
    action: str = "create",
) -> Journey:
    """A new draft journey, blank or from a template document; a fresh key unless given."""
    name = " ".join(name.split())[:200] or "Untitled journey"
    key = key or unique_key(name)
    data = dict(document) if document is not None else blank_document(key=key, name=name)
    data |= {"key": key, "name": name}
    _check_size(data)
    now = timezone.now()
    journey = Journey.objects.create(
        key=key,
        name=name,
        draft_spec=data,
        created_at=now,
        updated_at=now,
        updated_by=staff_user(by),
        draft_revision=1,
    )
    verb = {"import": "Imported", "duplicate": "Duplicated"}.get(action, "Created")
    audit_record(
        action=action,
        summary=f"{verb} the journey {name}",
        by=by,
        journey=journey,
        diff={"changes": change_texts(document_changes(None, data, type_label=type_label))},
    )
    return journey


def journey_duplicate(*, journey: Journey, by: User) -> Journey:
    """A new draft with a copy of the journey's draft, named "Copy of …"."""
    journey = Journey.objects.get(pk=journey.pk)
    return journey_create(
        name=f"Copy of {journey.name}", by=by, document=journey.draft_spec, action="duplicate"
    )


@transaction.atomic
def journey_import_document(*, data: Mapping[str, Any], by: User, replace: bool = False) -> Journey:
    """A journey from a "stepwise.journey/1" document, checked by the format's own parser.

    A new key makes a new journey; an existing key replaces that journey's draft only with
    `replace` (otherwise JourneyStateError says so). Raises SpecError listing every problem.
    """
    spec = journey_parse(data=data)
    document = json.loads(json.dumps(data))
    existing = Journey.objects.select_for_update().filter(key=spec.key).first()
    if existing is None:
        return journey_create(
            name=spec.name, by=by, document=document, key=spec.key, action="import"
        )
    if not replace:
        raise JourneyStateError(
            f"A journey with the short name “{spec.key}” exists already ({existing.name}). "
            'Tick “Replace its draft” to overwrite that draft, or change "key" in the text.'
        )
    draft_change(
        journey=existing,
        revision=existing.draft_revision,
        document=document,
        by=by,
        summary="Replaced the draft with an imported document",
        action="import",
    )
    existing.refresh_from_db()
    return existing


@transaction.atomic
def draft_change(
    *,
    journey: Journey,
    revision: int,
    document: Mapping[str, Any],
    by: User,
    summary: str = "",
    step_key: str = "",
    coalesce: bool = False,
    action: str = "edit",
) -> DraftChange | None:
    """Replace the draft, made on `revision`; None when the document is unchanged.

    Raises StaleDraft when the draft moved on since `revision`, JourneyStateError for an
    archived journey, DraftTooLarge past MAX_DRAFT_BYTES. With `coalesce`, a save that
    follows the same person's save of the same step within COALESCE_WITHIN joins it, so
    one undo takes back one burst of typing.
    """
    journey = _locked(journey, revision)
    data = dict(document) | {"key": journey.key, "format": document.get("format", FORMAT)}
    if data == journey.draft_spec:
        return None
    _check_size(data)
    now = timezone.now()
    top = _top_change(journey)
    joined = coalesce and step_key and _joins(top, by=by, step_key=step_key, now=now)
    DraftChange.objects.filter(journey=journey, undone=True).delete()
    before = top.before if joined and top is not None else journey.draft_spec
    changes = document_changes(before, data, type_label=type_label)
    words = summary or summarize(changes)
    diff = {"changes": change_texts(changes), "revision": journey.draft_revision + 1}
    if joined and top is not None:
        change = top
        change.after, change.summary, change.at = data, words[:500], now
        change.revision = journey.draft_revision + 1
        change.save(update_fields=["after", "summary", "at", "revision"])
        if change.audit_entry_id:
            AuditEntry.objects.filter(pk=change.audit_entry_id).update(
                summary=words[:500], diff=diff, at=now
            )
    else:
        entry = audit_record(action=action, summary=words, by=by, journey=journey, diff=diff)
        change = DraftChange.objects.create(
            journey=journey,
            revision=journey.draft_revision + 1,
            summary=words[:500],
            step_key=step_key,
            before=journey.draft_spec,
            after=data,
            by=staff_user(by),
            by_label=actor_name(by),
            at=now,
            audit_entry=entry,
        )
        _prune(journey)
    _store(journey, data, by, now)
    return change


@transaction.atomic
def draft_undo(*, journey: Journey, revision: int, by: User) -> DraftChange:
    """Take back the newest change still in effect; NothingToUndo when there is none."""
    journey = _locked(journey, revision)
    change = _top_change(journey)
    if change is None:
        raise NothingToUndo("There is nothing to undo.")
    change.undone = True
    change.save(update_fields=["undone"])
    _undo_audit(journey, by, "undo", f"Undid: {change.summary}", change.after, change.before)
    _store(journey, change.before, by, timezone.now())
    return change


@transaction.atomic
def draft_redo(*, journey: Journey, revision: int, by: User) -> DraftChange:
    """Put back the oldest undone change; NothingToUndo when nothing was undone."""
    journey = _locked(journey, revision)
    change = DraftChange.objects.filter(journey=journey, undone=True).order_by("id").first()
    if change is None:
        raise NothingToUndo("There is nothing to redo.")
    change.undone = False
    change.save(update_fields=["undone"])
    _undo_audit(journey, by, "redo", f"Redid: {change.summary}", change.before, change.after)
    _store(journey, change.after, by, timezone.now())
    return change


def draft_restore_version(
    *, journey: Journey, revision: int, number: int, by: User
) -> DraftChange | None:
    """Make published version `number` the draft again (an ordinary, undoable change)."""
    version = journey.versions.filter(number=number).first()
    if version is None:
        raise JourneyStateError(f"{journey.name} has no version {number}.")
    return draft_change(
        journey=journey,
        revision=revision,
        document=version.spec,
        by=by,
        summary=f"Restored version {number} as the draft",
        action="restore",
    )


def history_tops(journey: Journey) -> tuple[DraftChange | None, DraftChange | None]:
    """The change undo would take back and the one redo would put back (either may be None)."""
    undo = _top_change(journey)
    redo = DraftChange.objects.filter(journey=journey, undone=True).order_by("id").first()
    return undo, redo


def _locked(journey: Journey, revision: int) -> Journey:
    locked = Journey.objects.select_for_update().get(pk=journey.pk)
    if locked.status == Journey.Status.ARCHIVED:
        raise JourneyStateError(f"{locked.name} is archived: its draft can no longer change.")
    if locked.draft_revision != revision:
        since = list(
            DraftChange.objects.filter(journey=locked, revision__gt=revision).order_by("id")
        )
        raise StaleDraft(journey=locked, changes=since)
    return locked


def _top_change(journey: Journey) -> DraftChange | None:
    return DraftChange.objects.filter(journey=journey, undone=False).order_by("-id").first()


def _joins(top: DraftChange | None, *, by: User, step_key: str, now: Any) -> bool:
    user = staff_user(by)
    return (
        top is not None
        and top.step_key == step_key
        and top.by_id == (user.pk if user is not None else None)
        and now - top.at <= COALESCE_WITHIN
        and not DraftChange.objects.filter(journey_id=top.journey_id, undone=True).exists()
    )


def _store(journey: Journey, document: Mapping[str, Any], by: User, now: Any) -> None:
    journey.draft_spec = dict(document)
    journey.draft_revision += 1
    name = document.get("name")
    if isinstance(name, str) and name.strip():
        journey.name = name.strip()[:200]
    journey.updated_at = now
    journey.updated_by = staff_user(by)
    journey.save(update_fields=["draft_spec", "draft_revision", "name", "updated_at", "updated_by"])


def _undo_audit(
    journey: Journey,
    by: User,
    action: str,
    summary: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
) -> None:
    changes = change_texts(document_changes(before, after, type_label=type_label))
    diff = {"changes": changes, "revision": journey.draft_revision + 1}
    audit_record(action=action, summary=summary, by=by, journey=journey, diff=diff)


def _prune(journey: Journey) -> None:
    keep = list(
        DraftChange.objects.filter(journey=journey)
        .order_by("-id")
        .values_list("id", flat=True)[:HISTORY_KEPT]
    )
    if len(keep) == HISTORY_KEPT:
        DraftChange.objects.filter(journey=journey, id__lt=keep[-1]).delete()


def _check_size(document: Mapping[str, Any]) -> None:
    size = len(json.dumps(document, ensure_ascii=False, default=str).encode())
    if size > MAX_DRAFT_BYTES:
        raise DraftTooLarge(
            f"The journey is too large to save ({size:,} bytes; the limit is "
            f"{MAX_DRAFT_BYTES:,}). Remove some steps or shorten long texts."
        )
