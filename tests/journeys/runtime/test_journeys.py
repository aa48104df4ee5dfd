"""Journeys as code: import, export, publish immutable versions, pause, resume, archive."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from journeys.core.problems import SpecError
from journeys.models import AuditEntry, Journey, JourneyVersion, MessageVariant, Step
from journeys.run.journeys import (
    JourneyStateError,
    journey_archive,
    journey_export,
    journey_import,
    journey_pause,
    journey_publish,
    journey_resume,
)
from journeys.run.selectors import journey_spec_for_key


def test_import_creates_a_draft_without_publishing(db, welcome_doc):
    journey = journey_import(data=welcome_doc)

    assert (journey.key, journey.name, journey.status) == ("welcome", "Welcome", "draft")
    assert journey.current_version is None
    assert JourneyVersion.objects.count() == 0
    assert list(AuditEntry.objects.values_list("action", flat=True)) == ["import"]


def test_import_with_publish_creates_version_one_with_step_and_variant_rows(db, welcome_doc):
    journey = journey_import(data=welcome_doc, publish=True)

    version = journey.current_version
    assert (journey.status, version.number) == ("live", 1)
    steps = list(Step.objects.filter(version=version).values_list("key", "type", "position"))
    assert steps == [
        ("hello", "message", 0),
        ("wait_upload", "wait_for_event", 1),
        ("praise", "message", 2),
        ("nudge", "message", 3),
        ("end", "exit", 4),
    ]
    variants = MessageVariant.objects.filter(step__version=version).order_by("step__position")
    assert [(v.step.key, v.name, v.weight) for v in variants] == [
        ("hello", "A", 1),
        ("praise", "A", 1),
        ("nudge", "A", 1),
    ]
    assert variants[2].content == {"body": "Need a hand?"}


def test_invalid_document_is_refused_with_its_problems_and_writes_nothing(db, welcome_doc):
    welcome_doc["steps"][1]["on_timeout"] = "nowhere"

    with pytest.raises(SpecError) as refused:
        journey_import(data=welcome_doc, publish=True)

    assert any("nowhere" in str(problem) for problem in refused.value.problems)
    assert Journey.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_reimporting_the_same_file_publishes_nothing_new(db, welcome_doc):
    journey_import(data=welcome_doc, publish=True)

    journey = journey_import(data=welcome_doc, publish=True)

    assert list(journey.versions.values_list("number", flat=True)) == [1]


def test_publishing_a_changed_draft_adds_a_version_and_audits_the_diff(db, welcome_doc):
    journey = journey_import(data=welcome_doc, publish=True)
    welcome_doc["steps"][3]["variants"][0]["body"] = "Stuck? Reply and we'll help."
    welcome_doc["name"] = "Welcome aboard"

    journey = journey_import(data=welcome_doc, publish=True)

    assert list(journey.versions.order_by("number").values_list("number", flat=True)) == [1, 2]
    assert journey.current_version.number == 2
    entry = AuditEntry.objects.filter(action="publish").order_by("-id").first()
    assert entry.summary == "Published version 2"
    assert entry.diff["from_version"] == 1
    assert entry.diff["to_version"] == 2
    assert entry.diff["fields"] == {"name": {"from": "Welcome", "to": "Welcome aboard"}}
    assert entry.diff["steps_added"] == []
    assert entry.diff["steps_removed"] == []
    assert list(entry.diff["steps_changed"]) == ["nudge"]
    assert entry.diff["steps_changed"]["nudge"]["variants"]["to"][0]["body"] == (
        "Stuck? Reply and we'll help."
    )


def test_publishing_an_unchanged_draft_is_refused(db, welcome_doc):
    journey = journey_import(data=welcome_doc, publish=True)

    with pytest.raises(JourneyStateError, match="same as version 1"):
        journey_publish(journey=journey)

    assert journey.versions.count() == 1


def test_published_versions_are_immutable(live_welcome):
    version = live_welcome.current_version

    with pytest.raises(ValueError, match="immutable"):
        version.save()


def test_pause_resume_archive_change_status_and_are_audited(live_welcome):
    journey_pause(journey=live_welcome)
    assert Journey.objects.get(pk=live_welcome.pk).status == "paused"

    journey_resume(journey=live_welcome)
    assert Journey.objects.get(pk=live_welcome.pk).status == "live"

    journey_archive(journey=live_welcome)
    assert Journey.objects.get(pk=live_welcome.pk).status == "archived"
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["import", "publish", "paused", "live", "archived"]


def test_resuming_a_live_journey_is_refused(live_welcome):
    with pytest.raises(JourneyStateError, match="is live; it cannot become live"):
        journey_resume(journey=live_welcome)


def test_an_archived_journey_cannot_be_reimported(live_welcome, welcome_doc):
    journey_archive(journey=live_welcome)

    with pytest.raises(JourneyStateError, match="archived"):
        journey_import(data=welcome_doc)


def test_export_round_trips_the_imported_document(db, welcome_doc):
    journey_import(data=welcome_doc, publish=True)

    exported = journey_export(key="welcome")

    assert journey_import(data=exported).draft_spec == exported
    assert exported["steps"][2]["variants"] == [
        {"name": "A", "weight": 1, "body": "Nice: {{ event.properties.filename }}"}
    ]
    assert journey_export(key="welcome", version=1) == exported


def test_spec_for_key_prefers_the_published_version_over_the_draft(db, welcome_doc):
    journey_import(data=welcome_doc, publish=True)
    welcome_doc["name"] = "Draft name"
    journey_import(data=welcome_doc)

    assert journey_spec_for_key("welcome").name == "Welcome"


def test_spec_for_key_falls_back_to_the_draft(db, welcome_doc):
    journey_import(data=welcome_doc)

    assert journey_spec_for_key("welcome").steps[0].id == "hello"


def test_import_and_export_commands(db, tmp_path, welcome_doc):
    path = tmp_path / "welcome.json"
    path.write_text(json.dumps(welcome_doc))
    out = io.StringIO()

    call_command("import_journey", str(path), "--publish", stdout=out)
    exported = io.StringIO()
    call_command("export_journey", "welcome", stdout=exported)

    assert out.getvalue() == 'Imported "welcome" (live, live version v1).\n'
    assert json.loads(exported.getvalue())["key"] == "welcome"


def test_import_command_lists_every_problem(db, tmp_path, welcome_doc):
    welcome_doc["steps"][0]["channel"] = "pigeon"
    welcome_doc["goal"]["within"] = "soon"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(welcome_doc))

    with pytest.raises(CommandError) as refused:
        call_command("import_journey", str(path))

    message = str(refused.value)
    assert message.startswith(f"{path} is not a valid journey:\n")
    assert "pigeon" in message
    assert "soon" in message
    assert Journey.objects.count() == 0


def test_export_command_for_an_unknown_key(db):
    with pytest.raises(CommandError, match='No journey with key "nope"'):
        call_command("export_journey", "nope")
