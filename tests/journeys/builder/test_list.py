"""The journey list: figures per journey, new / import / export / duplicate / archive."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from journeys.builder.drafts import journey_create, journey_import_document
from journeys.models import AuditEntry, Contact, Enrollment, Journey
from journeys.run.journeys import journey_publish

pytestmark = pytest.mark.django_db
LIST = "/admin/builder/"


def enroll(journey: Journey, state: str, *, days_ago: int = 1, user_id: str = "x") -> None:
    now = timezone.now()
    contact = Contact.objects.create(user_id=user_id, first_seen_at=now, last_seen_at=now)
    entered = now - timedelta(days=days_ago)
    Enrollment.objects.create(
        contact=contact,
        journey=journey,
        version=journey.current_version,
        state=state,
        trigger_at=entered,
        step_entered_at=entered,
        entered_at=entered,
        updated_at=now,
        finished_at=now if state in {"converted", "completed"} else None,
    )


def test_the_list_shows_status_version_and_last_7_days(client, editor, welcome_document):
    journey = journey_import_document(data=welcome_document, by=editor)
    journey_publish(journey=journey, by=editor)
    journey.refresh_from_db()
    enroll(journey, "waiting", user_id="a")
    enroll(journey, "converted", user_id="b")
    enroll(journey, "completed", days_ago=30, user_id="c")
    journey_create(name="Trial ending", by=editor)
    client.force_login(editor)

    html = client.get(LIST).content.decode()

    row = html.split('href="/admin/builder/welcome/"')[1].split("</tr>")[0]
    assert "Live" in row
    assert "Version 1" in row
    assert [cell.split("<")[0].strip() for cell in row.split('class="number">')[1:4]] == [
        "2",
        "1",
        "1",
    ]
    assert "(50 %)" in row
    assert "by ada" in row
    trial = html.split('href="/admin/builder/trial-ending/"')[1].split("</tr>")[0]
    assert "Draft" in trial
    assert "Not published" in trial


def test_view_site_and_the_root_lead_to_the_list(client, editor):
    client.force_login(editor)

    admin_page = client.get("/admin/").content.decode()
    root = client.get("/")

    assert f'<a href="{LIST}">View site</a>' in admin_page
    assert (root.status_code, root["Location"]) == (302, LIST)


def test_search_answers_with_the_table_alone(client, editor):
    journey_create(name="Welcome", by=editor)
    journey_create(name="Trial ending", by=editor)
    client.force_login(editor)

    response = client.get(
        LIST, {"q": "trial"}, headers={"HX-Request": "true", "HX-Target": "journey-table"}
    )

    html = response.content.decode()
    assert html.strip().startswith('<div id="journey-table">')
    assert "Trial ending" in html
    assert "Welcome" not in html


def test_a_new_journey_blank_or_from_a_template(client, editor):
    client.force_login(editor)

    blank = client.post(f"{LIST}new/", {"name": "Onboarding", "start": "blank"})
    templated = client.post(f"{LIST}new/", {"name": "Hello", "start": "slackbot-welcome"})

    assert (blank.status_code, blank["Location"]) == (303, f"{LIST}onboarding/")
    assert templated["Location"] == f"{LIST}hello/"
    hello = Journey.objects.get(key="hello")
    assert hello.name == "Hello"
    assert [step["id"] for step in hello.draft_spec["steps"]][:2] == [
        "Welcome_email",
        "Wait_for_a_note",
    ]


def test_a_new_journey_needs_a_name(client, editor):
    client.force_login(editor)

    response = client.post(
        f"{LIST}new/", {"name": "", "start": "blank"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 422
    assert "This field is required." in response.content.decode()
    assert not Journey.objects.exists()


def test_import_keeps_the_pasted_text_with_the_problems_in_words(client, editor, welcome_document):
    client.force_login(editor)
    welcome_document["steps"][3]["variants"][0]["body"] = "{% if x %}unclosed"
    text = json.dumps(welcome_document)

    response = client.post(f"{LIST}import/", {"text": text})

    html = response.content.decode()
    assert response.status_code == 422
    assert "<strong>“Nudge”, variant A, text:</strong>" in html
    assert "block is never closed" in html
    assert json.dumps(welcome_document).replace('"', "&quot;")[:80] in html
    assert not Journey.objects.exists()


def test_import_of_text_that_is_not_json_says_where(client, editor):
    client.force_login(editor)

    response = client.post(f"{LIST}import/", {"text": '{"format": '})

    assert "line 1, column 12: expecting value." in response.content.decode()


def test_import_a_file_then_export_it(client, editor, welcome_document):
    client.force_login(editor)
    upload = SimpleUploadedFile("welcome.json", json.dumps(welcome_document).encode())

    imported = client.post(f"{LIST}import/", {"file": upload})
    exported = client.get(f"{LIST}welcome/export/")

    assert imported["Location"] == f"{LIST}welcome/"
    assert exported["Content-Disposition"] == 'attachment; filename="welcome.journey.json"'
    assert json.loads(exported.content) == welcome_document


def test_duplicate_and_archive(client, editor, welcome_document):
    journey = journey_import_document(data=welcome_document, by=editor)
    client.force_login(editor)

    copied = client.post(f"{LIST}welcome/duplicate/")
    confirm = client.get(f"{LIST}welcome/archive/")
    archived = client.post(f"{LIST}welcome/archive/")

    assert copied["Location"] == f"{LIST}copy-of-welcome/"
    assert "Archiving stops <strong>Welcome</strong> for good" in confirm.content.decode()
    assert archived.status_code == 303
    journey.refresh_from_db()
    assert journey.status == "archived"
    assert AuditEntry.objects.filter(journey=journey, action="archived").count() == 1


def test_a_report_viewer_sees_the_list_but_cannot_change_anything(client, viewer, editor):
    journey_create(name="Welcome", by=editor)
    client.force_login(viewer)

    html = client.get(LIST).content.decode()
    created = client.post(f"{LIST}new/", {"name": "Mine", "start": "blank"})
    duplicated = client.post(f"{LIST}welcome/duplicate/")
    archived = client.post(f"{LIST}welcome/archive/")

    assert "Welcome" in html
    assert "New journey" not in html
    assert "Import" not in html
    assert "Duplicate Welcome" not in html
    assert "Archive Welcome" not in html
    assert [created.status_code, duplicated.status_code, archived.status_code] == [403, 403, 403]
    assert "You can look at journeys but not create them." in created.content.decode()
    assert Journey.objects.count() == 1
    assert Journey.objects.get().status == "draft"


def test_people_who_are_not_staff_go_to_the_login(client):
    response = client.get(LIST)

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
