"""The admin: journey import/export buttons, status actions, and a contact's decision trace."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journeys.models import Journey


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client.force_login(user)
    return client


def test_import_button_uploads_and_publishes_a_journey(staff_client, welcome_doc):
    upload = SimpleUploadedFile("welcome.json", json.dumps(welcome_doc).encode())

    response = staff_client.post(
        reverse("admin:journeys_journey_import"), {"file": upload, "publish": "on"}
    )

    journey = Journey.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:journeys_journey_change", args=[journey.pk])
    assert (journey.status, journey.current_version.number) == ("live", 1)
    assert journey.current_version.published_by.username == "staff"


def test_import_button_shows_every_problem_of_an_invalid_file(staff_client, welcome_doc):
    welcome_doc["steps"][0]["channel"] = "pigeon"
    upload = SimpleUploadedFile("welcome.json", json.dumps(welcome_doc).encode())

    response = staff_client.post(reverse("admin:journeys_journey_import"), {"file": upload})

    assert response.status_code == 200
    assert "pigeon" in response.content.decode()
    assert Journey.objects.count() == 0


def test_export_button_downloads_the_document(staff_client, live_welcome):
    response = staff_client.get(reverse("admin:journeys_journey_export", args=[live_welcome.pk]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="welcome.journey.json"'
    assert json.loads(response.content)["key"] == "welcome"


def test_journey_page_shows_versions_counts_and_the_buttons(staff_client, live_welcome):
    changelist = staff_client.get(reverse("admin:journeys_journey_changelist"))
    page = staff_client.get(reverse("admin:journeys_journey_change", args=[live_welcome.pk]))

    assert "Import JSON" in changelist.content.decode()
    body = page.content.decode()
    assert "Export JSON" in body
    assert "active: 0, waiting: 0" in body
    assert "Published version 1" in body


def test_pause_action_from_the_journey_list(staff_client, live_welcome):
    response = staff_client.post(
        reverse("admin:journeys_journey_changelist"),
        {"action": "action_pause", "_selected_action": [live_welcome.pk]},
    )

    assert response.status_code == 302
    assert Journey.objects.get().status == "paused"


@pytest.mark.urls("tests.journeys.runtime.admin_urls")
def test_contact_page_shows_enrollments_visits_and_the_trace(
    staff_client, live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()

    response = staff_client.get(reverse("admin:journeys_contact_change", args=[ada.pk]))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Hello <small>(" in body  # the steps as the builder names them, not their ids
    assert "sent)</small> → Wait upload" in body
    assert "entered: Signed Up matched the trigger" in body
    assert "message hello: email, variant A" in body
    assert "Step &quot;hello&quot;: email message queued." in body
