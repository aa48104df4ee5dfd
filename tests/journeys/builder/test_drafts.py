"""Drafts: every change is revision-checked, undoable, and audited with its diff in words."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from django.utils import timezone

from journeys.builder import drafts
from journeys.builder.drafts import (
    DraftTooLarge,
    NothingToUndo,
    StaleDraft,
    draft_change,
    draft_redo,
    draft_restore_version,
    draft_undo,
    journey_create,
    journey_duplicate,
    journey_import_document,
)
from journeys.core.problems import SpecError
from journeys.models import AuditEntry, DraftChange, Journey
from journeys.run.journeys import JourneyStateError, journey_archive, journey_publish

pytestmark = pytest.mark.django_db


def renamed(journey: Journey, name: str) -> dict:
    return copy.deepcopy(journey.draft_spec) | {"name": name}


def test_a_blank_journey_has_a_free_key_a_revision_and_an_audit_entry(editor):
    first = journey_create(name="Trial ending", by=editor)
    second = journey_create(name="Trial ending", by=editor)

    assert (first.key, second.key) == ("trial-ending", "trial-ending-2")
    assert first.draft_spec == {
        "format": "stepwise.journey/1",
        "key": "trial-ending",
        "name": "Trial ending",
        "trigger": {},
        "steps": [],
    }
    assert first.draft_revision == 1
    assert first.updated_by == editor
    entry = AuditEntry.objects.get(journey=first)
    assert (entry.action, entry.actor_label, entry.summary) == (
        "create",
        "ada",
        "Created the journey Trial ending",
    )


def test_a_change_bumps_the_revision_and_is_audited_in_words(editor):
    journey = journey_create(name="Welcome", by=editor)

    change = draft_change(
        journey=journey, revision=1, document=renamed(journey, "Hello"), by=editor
    )

    journey.refresh_from_db()
    assert (journey.draft_revision, journey.name) == (2, "Hello")
    assert change.summary == "Changed the name from “Welcome” to “Hello”"
    entry = AuditEntry.objects.filter(journey=journey, action="edit").get()
    assert entry.diff == {"changes": ["Changed the name from “Welcome” to “Hello”"], "revision": 2}


def test_a_save_made_on_an_older_revision_is_refused_with_the_other_change(editor, make_staff):
    grace = make_staff("grace")
    journey = journey_create(name="Welcome", by=editor)
    draft_change(journey=journey, revision=1, document=renamed(journey, "Grace's"), by=grace)

    with pytest.raises(StaleDraft) as refused:
        draft_change(journey=journey, revision=1, document=renamed(journey, "Ada's"), by=editor)

    journey.refresh_from_db()
    assert journey.name == "Grace's"
    assert str(refused.value) == "grace changed this journey after you opened it."
    assert [c.summary for c in refused.value.changes] == [
        "Changed the name from “Welcome” to “Grace's”"
    ]
    assert DraftChange.objects.filter(journey=journey).count() == 1


def test_an_unchanged_document_is_not_a_change(editor):
    journey = journey_create(name="Welcome", by=editor)

    assert draft_change(journey=journey, revision=1, document=journey.draft_spec, by=editor) is None
    journey.refresh_from_db()
    assert journey.draft_revision == 1


def test_sixty_edits_undo_and_redo_in_order(editor):
    journey = journey_create(name="v0", by=editor)
    for number in range(1, 61):
        journey.refresh_from_db()
        draft_change(
            journey=journey,
            revision=journey.draft_revision,
            document=renamed(journey, f"v{number}"),
            by=editor,
        )
    for _ in range(55):
        journey.refresh_from_db()
        draft_undo(journey=journey, revision=journey.draft_revision, by=editor)
    journey.refresh_from_db()
    assert journey.name == "v5"
    for _ in range(3):
        journey.refresh_from_db()
        draft_redo(journey=journey, revision=journey.draft_revision, by=editor)
    journey.refresh_from_db()
    assert journey.name == "v8"
    assert AuditEntry.objects.filter(journey=journey, action="undo").count() == 55
    assert AuditEntry.objects.filter(journey=journey, action="redo").count() == 3


def test_a_new_change_after_undo_drops_what_could_be_redone(editor):
    journey = journey_create(name="v0", by=editor)
    draft_change(journey=journey, revision=1, document=renamed(journey, "v1"), by=editor)
    draft_undo(journey=journey, revision=2, by=editor)
    journey.refresh_from_db()
    draft_change(journey=journey, revision=3, document=renamed(journey, "other"), by=editor)

    with pytest.raises(NothingToUndo, match="nothing to redo"):
        draft_redo(journey=journey, revision=4, by=editor)
    journey.refresh_from_db()
    assert journey.name == "other"


def test_undo_with_nothing_left_says_so(editor):
    journey = journey_create(name="v0", by=editor)

    with pytest.raises(NothingToUndo, match="nothing to undo"):
        draft_undo(journey=journey, revision=1, by=editor)


def test_one_burst_of_typing_in_a_step_is_one_change_to_undo(editor):
    journey = journey_create(name="v0", by=editor)
    for number, revision in ((1, 1), (2, 2), (3, 3)):
        draft_change(
            journey=journey,
            revision=revision,
            document=renamed(journey, f"v{number}"),
            by=editor,
            step_key="hello",
            coalesce=True,
        )

    assert DraftChange.objects.filter(journey=journey).count() == 1
    assert AuditEntry.objects.filter(journey=journey, action="edit").get().summary == (
        "Changed the name from “v0” to “v3”"
    )
    draft_undo(journey=journey, revision=4, by=editor)
    journey.refresh_from_db()
    assert journey.name == "v0"


def test_a_pause_in_typing_starts_a_new_change(editor):
    journey = journey_create(name="v0", by=editor)
    draft_change(
        journey=journey, revision=1, document=renamed(journey, "v1"), by=editor,
        step_key="hello", coalesce=True,
    )  # fmt: skip
    DraftChange.objects.update(at=timezone.now() - timedelta(minutes=1))

    draft_change(
        journey=journey, revision=2, document=renamed(journey, "v2"), by=editor,
        step_key="hello", coalesce=True,
    )  # fmt: skip

    assert DraftChange.objects.filter(journey=journey).count() == 2


def test_history_keeps_the_newest_changes(editor, monkeypatch):
    monkeypatch.setattr(drafts, "HISTORY_KEPT", 5)
    journey = journey_create(name="v0", by=editor)
    for number in range(1, 9):
        draft_change(
            journey=journey, revision=number, document=renamed(journey, f"v{number}"), by=editor
        )

    kept = DraftChange.objects.filter(journey=journey).order_by("id")
    assert [c.after["name"] for c in kept] == ["v4", "v5", "v6", "v7", "v8"]


def test_an_archived_journey_refuses_changes(editor):
    journey = journey_create(name="Welcome", by=editor)
    journey_archive(journey=journey, by=editor)

    with pytest.raises(JourneyStateError, match="archived"):
        draft_change(journey=journey, revision=1, document=renamed(journey, "x"), by=editor)


def test_a_draft_too_large_is_refused_and_nothing_is_written(editor):
    journey = journey_create(name="Welcome", by=editor)
    huge = renamed(journey, "Welcome") | {"description": "x" * 1_100_000}

    with pytest.raises(DraftTooLarge, match="too large to save"):
        draft_change(journey=journey, revision=1, document=huge, by=editor)
    journey.refresh_from_db()
    assert journey.draft_revision == 1


def test_import_checks_with_the_format_and_never_overwrites_without_asking(
    editor, welcome_document
):
    broken = welcome_document | {"steps": [{"id": "x", "type": "mesage"}]}
    with pytest.raises(SpecError, match="There is no kind of step called “mesage”"):
        journey_import_document(data=broken, by=editor)
    assert not Journey.objects.exists()

    journey = journey_import_document(data=welcome_document, by=editor)
    assert (journey.key, journey.name) == ("welcome", "Welcome")
    assert AuditEntry.objects.get(journey=journey).summary == "Imported the journey Welcome"

    changed = welcome_document | {"name": "Welcome again"}
    with pytest.raises(JourneyStateError, match="exists already"):
        journey_import_document(data=changed, by=editor)
    replaced = journey_import_document(data=changed, by=editor, replace=True)
    assert (replaced.pk, replaced.name, replaced.draft_revision) == (journey.pk, "Welcome again", 2)


def test_duplicate_and_restore_a_version(editor, welcome_document):
    journey = journey_import_document(data=welcome_document, by=editor)
    journey_publish(journey=journey, by=editor)
    journey.refresh_from_db()
    draft_change(journey=journey, revision=1, document=renamed(journey, "Changed"), by=editor)

    copy_ = journey_duplicate(journey=journey, by=editor)
    draft_restore_version(journey=journey, revision=2, number=1, by=editor)

    journey.refresh_from_db()
    assert (copy_.key, copy_.name, copy_.draft_spec["steps"]) == (
        "copy-of-changed",
        "Copy of Changed",
        welcome_document["steps"],
    )
    assert journey.draft_spec == journey.versions.get(number=1).spec
    assert AuditEntry.objects.filter(journey=journey, action="restore").get().summary == (
        "Restored version 1 as the draft"
    )
