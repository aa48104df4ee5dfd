"""The canvas through its HTTP endpoints: cards, insert, edit, delete, move, undo/redo,
a stale save refused with nothing lost, read-only viewers, validation, preview, publish."""

from __future__ import annotations

import html
import re

import pytest
from django.test import Client

from journeys.models import AuditEntry, Journey

pytestmark = pytest.mark.django_db


def url(journey: Journey, tail: str = "") -> str:
    return f"/admin/builder/{journey.key}/{tail}"


def rev(journey: Journey) -> str:
    journey.refresh_from_db()
    return str(journey.draft_revision)


def post(client: Client, path: str, data: dict, **extra):
    return client.post(path, data, HTTP_HX_REQUEST="true", **extra)


def add(client, journey, kind, source="", outcome=""):
    data = {"type": kind, "source": source, "outcome": outcome, "revision": rev(journey)}
    response = post(client, url(journey, "insert/"), data)
    assert response.status_code == 200, response.content.decode()[:2000]
    journey.refresh_from_db()
    return response


def ids(journey: Journey) -> list[str]:
    journey.refresh_from_db()
    return [step["id"] for step in journey.draft_spec["steps"]]


def save_message(client, journey, step, **fields):
    data = {
        "name": fields.pop("name", step.replace("_", " ")),
        "channel": fields.pop("channel", "email"),
        "variant-TOTAL_FORMS": "1",
        "variant-INITIAL_FORMS": "1",
        "variant-0-name": "A",
        "variant-0-weight": "1",
        "variant-0-subject": fields.pop("subject", "Hi"),
        "variant-0-body": fields.pop("body", "Hello"),
        "revision": fields.pop("revision", None) or rev(journey),
    }
    return post(client, url(journey, f"steps/{step}/"), data | fields)


def test_empty_canvas_offers_the_trigger_and_a_plus(signed_in, journey):
    page = signed_in.get(url(journey)).content.decode()
    assert "Not finished: choose the event that lets people in." in page
    assert "Add a step at the start of the journey" in page
    assert "Send a message" in page
    assert "Ask a question" in page
    assert "<script>" not in page
    assert "onclick" not in page


def test_a_message_keeps_skip_when_done_only_while_ticked(signed_in, journey):
    add(signed_in, journey, "message")

    save_message(signed_in, journey, "Email", skip_when_done="on")
    ticked = ids(journey) and journey.draft_spec["steps"][0].get("skip_when_done")
    form = signed_in.get(url(journey, "steps/Email/")).content.decode()
    save_message(signed_in, journey, "Email")
    journey.refresh_from_db()

    assert ticked is True
    assert "Skip it when the contact already did what the wait after it waits for" in form
    assert re.search(r'<input type="checkbox" name="skip_when_done"[^>]*checked', form)
    assert "skip_when_done" not in journey.draft_spec["steps"][0]


def test_insert_edit_and_lanes(signed_in, journey):
    add(signed_in, journey, "message")
    assert ids(journey) == ["Email"]
    response = save_message(
        signed_in, journey, "Email", name="Welcome email", subject="Hi {{ contact.first_name }}"
    )
    assert response.status_code == 200, response.content.decode()[:3000]
    assert ids(journey) == ["Welcome_email"]
    assert response["HX-Trigger"] == "draft-saved"
    body = response.content.decode()
    assert "Welcome email" in body
    assert 'hx-swap-oob="outerHTML"' in body
    add(signed_in, journey, "wait_for_event", "Welcome_email", "next")
    assert ids(journey) == ["Welcome_email", "Wait"]
    data = {
        "name": "Wait for a note",
        "event": "Created Note",
        "timeout": "2 days",
        "revision": rev(journey),
    }
    data |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0"}
    response = post(signed_in, url(journey, "steps/Wait/"), data)
    assert response.status_code == 200, response.content.decode()[:3000]
    journey.refresh_from_db()
    wait = journey.draft_spec["steps"][1]
    assert wait["timeout"] == "P2D"
    assert wait["event"] == "Created Note"
    page = signed_in.get(url(journey)).content.decode()
    assert "Wait up to 2 days for Created Note" in page
    assert "If not within 2 days" in page
    assert "If Created Note happens" in page
    assert "If Ada reaches this step on Friday at 18:00 in Paris" in page


def test_durations_in_words_are_refused_kindly(signed_in, journey):
    add(signed_in, journey, "wait_for_event")
    data = {
        "name": "Wait",
        "event": "Created Note",
        "timeout": "two dayz",
        "revision": rev(journey),
    }
    data |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0"}
    response = post(signed_in, url(journey, "steps/Wait/"), data)
    assert response.status_code == 422
    assert "I can't read “two dayz” as a length of time" in html.unescape(response.content.decode())
    assert "two dayz" in response.content.decode()  # what was typed stays


def test_stale_save_is_refused_showing_the_other_change_and_keeping_the_text(
    signed_in, journey, make_staff
):
    add(signed_in, journey, "message")
    old = rev(journey)
    other = Client()
    other.force_login(make_staff("grace"))
    assert save_message(other, journey, "Email", subject="Grace's subject").status_code == 200
    response = save_message(signed_in, journey, "Email", subject="My own subject", revision=old)
    assert response.status_code == 409
    body = html.unescape(response.content.decode())
    assert "grace changed this journey after you opened it" in body
    assert "My own subject" in body  # nothing typed is lost
    assert "Grace's subject" in body  # their change is shown
    journey.refresh_from_db()
    assert journey.draft_spec["steps"][0]["variants"][0]["subject"] == "Grace's subject"


def test_undo_redo_and_delete_says_what_is_orphaned(signed_in, journey):
    add(signed_in, journey, "branch")
    add(signed_in, journey, "message", "Branch", "then")
    add(signed_in, journey, "delay", "Branch", "else")
    confirm = signed_in.get(url(journey, "steps/Branch/delete/"), HTTP_HX_REQUEST="true")
    assert "Wait a day" in confirm.content.decode()  # the "no" lane would be cut off
    response = post(signed_in, url(journey, "steps/Branch/delete/"), {"revision": rev(journey)})
    assert response.status_code == 200
    assert "Branch" not in ids(journey)
    response = post(signed_in, url(journey, "history/undo/"), {"revision": rev(journey)})
    assert response.status_code == 200
    assert "Branch" in ids(journey)
    post(signed_in, url(journey, "history/redo/"), {"revision": rev(journey)})
    assert "Branch" not in ids(journey)


def test_fifty_undos(signed_in, journey):
    for _ in range(26):
        add(signed_in, journey, "delay")
    for _ in range(26):
        post(signed_in, url(journey, "history/undo/"), {"revision": rev(journey)})
    assert ids(journey) == []
    for _ in range(26):
        post(signed_in, url(journey, "history/redo/"), {"revision": rev(journey)})
    assert len(ids(journey)) == 26


def test_move_up_and_down_keeps_the_paths(signed_in, journey):
    add(signed_in, journey, "message")
    add(signed_in, journey, "delay", "Email", "next")
    response = post(
        signed_in,
        url(journey, "steps/Wait_a_day/move/"),
        {"direction": "up", "revision": rev(journey)},
    )
    assert response.status_code == 200
    assert ids(journey)[0] == "Wait_a_day"
    post(
        signed_in,
        url(journey, "steps/Wait_a_day/move/"),
        {"direction": "down", "revision": rev(journey)},
    )
    assert ids(journey)[0] == "Email"


def test_report_viewer_sees_read_only(client, viewer, journey, editor):
    client.force_login(viewer)
    page = client.get(url(journey)).content.decode()
    assert "you cannot change it" in page
    assert "Add a step" not in page
    response = post(client, url(journey, "insert/"), {"type": "message", "revision": rev(journey)})
    assert response.status_code == 403
    assert ids(journey) == []


def test_validation_panel_links_problems_to_cards_and_lints_events(signed_in, journey, ingest):
    ingest("ada", ("identify", {"email": "ada@example.com"}), ("Uploaded File", {}))
    add(signed_in, journey, "wait_for_event")
    data = {"name": "Wait", "event": "Uploaded Files", "timeout": "", "revision": rev(journey)}
    data |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0"}
    post(signed_in, url(journey, "steps/Wait/"), data)
    panel = signed_in.get(url(journey, "checks/"), HTTP_HX_REQUEST="true").content.decode()
    assert "Must fix" in panel
    assert "The trigger" in panel
    assert (
        "Nobody has sent “Uploaded Files” in the last 30 days. Did you mean “Uploaded File”?"
        in panel
    )
    assert 'data-card="card-Wait"' in panel
    assert "steps[" not in panel


def test_preview_as_a_real_contact_with_sms_segments(signed_in, journey, ingest):
    ingest("grace", ("identify", {"email": "grace@example.com", "first_name": "Grace"}))
    add(signed_in, journey, "message")
    save_message(
        signed_in, journey, "Email", subject="Hi {{ contact.first_name }}", body="**Welcome**"
    )
    preview = signed_in.get(
        url(journey, "steps/Email/preview/?contact=grace"), HTTP_HX_REQUEST="true"
    )
    body = preview.content.decode()
    assert "Hi Grace" in body
    assert 'sandbox=""' in body
    assert "&lt;strong&gt;Welcome" in body
    save_message(signed_in, journey, "Email", channel="sms", body="Hi {{ contact.first_name }} 👋")
    body = signed_in.get(url(journey, "steps/Email/preview/?contact=grace")).content.decode()
    assert "Hi Grace 👋" in body
    assert "1 text message" in body
    assert "emoji" in body
    save_message(signed_in, journey, "Email", body="Hi {{ contact.first_name ")
    body = signed_in.get(url(journey, "steps/Email/preview/")).content.decode()
    assert re.search(r"Text, line 1: ", body), body


def test_publish_confirmation_shows_the_diff_and_publishing_is_audited(signed_in, journey):
    data = {
        "event": "Signed Up",
        "goal": "",
        "goal_within": "",
        "exits": "",
        "revision": rev(journey),
    }
    data |= {"where-TOTAL_FORMS": "1", "where-INITIAL_FORMS": "0"}
    data |= {
        "where-0-kind": "property",
        "where-0-name": "plan",
        "where-0-op": "in",
        "where-0-value": "free, trial",
    }
    response = post(signed_in, url(journey, "trigger/"), data)
    assert response.status_code == 200, response.content.decode()[:3000]
    journey.refresh_from_db()
    assert journey.draft_spec["trigger"] == {
        "event": "Signed Up",
        "where": [{"property": "plan", "op": "in", "value": ["free", "trial"]}],
    }
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Welcome email")
    page = signed_in.get(url(journey, "publish/")).content.decode()
    assert "Added step “Welcome email” (Send a message)" in page
    assert "Nobody is in this journey yet" in page
    response = signed_in.post(url(journey, "publish/"), {"migrate": "drain"})
    assert response.status_code == 303
    journey.refresh_from_db()
    assert journey.status == "live"
    assert journey.current_version.number == 1
    assert AuditEntry.objects.filter(journey=journey, action="publish").exists()
    versions = signed_in.get(url(journey, "versions/")).content.decode()
    assert "Version 1" in versions
    assert "Published version 1" in versions


def test_dry_run_shows_the_timeline_in_words(signed_in, journey):
    add(signed_in, journey, "wait_for_event")
    data = {"name": "Wait for a note", "event": "Created Note", "timeout": "2 days"}
    data |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "steps/Wait/"), data)
    add(signed_in, journey, "message", "Wait_for_a_note", "on_timeout")
    save_message(signed_in, journey, "Email", name="Nudge", subject="Stuck?", body="Try it")
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "trigger/"), trigger)
    form = signed_in.get(url(journey, "dry-run/"), HTTP_HX_REQUEST="true").content.decode()
    assert "now: Signed Up" in form
    script = "now: Signed Up\n3 days: Created Note"
    body = html.unescape(
        post(signed_in, url(journey, "dry-run/"), {"script": script}).content.decode()
    )
    assert "Reaches “Wait for a note”" in body
    assert "After 2 days:</span> Reaches “Nudge”" in body
    assert re.search(r"Waits for Created Note until \d+ \w{3} \d{4}, \d\d:\d\d UTC", body)
    assert "Gets an email, variant A" in body
    assert 'data-reached="Wait_for_a_note Nudge' in body
    bad = post(signed_in, url(journey, "dry-run/"), {"script": "soon: Signed Up"}).content.decode()
    assert "Line 1: I can" in html.unescape(bad)


def test_backtest_replays_real_events_through_the_draft(signed_in, journey, ingest):
    ingest("ada", ("identify", {"email": "ada@example.com"}), ("Signed Up", {"plan": "free"}))
    ingest("bob", ("identify", {"email": "bob@example.com"}), ("Signed Up", {"plan": "pro"}))
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "1", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    trigger |= {"where-0-kind": "property", "where-0-name": "plan", "where-0-op": "eq"}
    trigger |= {"where-0-value": "free"}
    post(signed_in, url(journey, "trigger/"), trigger)
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Hello")
    body = html.unescape(post(signed_in, url(journey, "backtest/"), {"days": "7"}).content.decode())
    assert "2 people did “Signed Up”; 1 would have entered" in body
    assert "“Hello”: 1" in body


def test_versions_compare_in_words_view_read_only_and_restore(signed_in, journey):
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "trigger/"), trigger)
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Hello", subject="Hi")
    signed_in.post(url(journey, "publish/"))
    save_message(signed_in, journey, "Hello", name="Hello", subject="Hi there")
    signed_in.post(url(journey, "publish/"))
    page = html.unescape(signed_in.get(url(journey, "versions/?from=1&to=2")).content.decode())
    assert "From version 1 to version 2" in page
    assert "Changed the subject of “Hello” (variant A) from “Hi” to “Hi there”" in page
    old = signed_in.get(url(journey, "versions/1/")).content.decode()
    assert "you cannot change it" in old
    assert "Add a step" not in old
    assert signed_in.post(url(journey, "versions/1/restore/")).status_code == 303
    journey.refresh_from_db()
    assert journey.draft_spec["steps"][0]["variants"][0]["subject"] == "Hi"


def test_the_audience_is_edited_with_the_trigger(signed_in, journey):
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    trigger |= {"audience-TOTAL_FORMS": "1", "audience-INITIAL_FORMS": "0"}
    trigger |= {"audience-0-kind": "trait", "audience-0-name": "phone", "audience-0-op": "exists"}
    assert post(signed_in, url(journey, "trigger/"), trigger).status_code == 200
    journey.refresh_from_db()
    assert journey.draft_spec["audience"] == [{"trait": "phone", "op": "exists"}]
    page = signed_in.get(url(journey)).content.decode()
    assert "Only people who have a phone number." in page
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", channel="sms", body="Hi")
    panel = signed_in.get(url(journey, "checks/")).content.decode()
    assert "nothing checks that the contact has a phone" not in panel


def test_lint_warns_of_a_variable_empty_for_many_recent_people(signed_in, journey, ingest):
    ingest(
        "ada", ("identify", {"email": "ada@example.com", "first_name": "Ada"}), ("Signed Up", {})
    )
    ingest("bob", ("identify", {"email": "bob@example.com"}), ("Signed Up", {}))
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "trigger/"), trigger)
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", subject="Hi {{ contact.first_name }}", body="Yo")
    panel = html.unescape(signed_in.get(url(journey, "checks/")).content.decode())
    assert "Uses [first name], which is empty for 50 % of the 2 people who did “Signed Up”" in panel
    save_message(
        signed_in, journey, "Email", subject="Hi {{ contact.first_name | default: 'there' }}"
    )
    panel = html.unescape(signed_in.get(url(journey, "checks/")).content.decode())
    assert "Uses [first name]" not in panel


def test_webhook_preview_shows_its_json_body(signed_in, journey):
    add(signed_in, journey, "message")
    body = '{"name": "{{ contact.first_name }}", "plan": "{{ contact.plan }}"}'
    fields = {"variant-0-url": "https://hooks.example.com/in", "variant-0-subject": ""}
    save_message(signed_in, journey, "Email", channel="webhook", body=body, **fields)
    page = html.unescape(signed_in.get(url(journey, "steps/Email/preview/")).content.decode())
    assert '{\n  "name": "Ada",\n  "plan": "pro"\n}' in page
    assert "Sent to https://hooks.example.com/in" in page


def test_an_sms_card_says_when_quiet_hours_hold_it_back(signed_in, journey, settings):
    settings.CHANNELS_QUIET_HOURS = {"email": "", "sms": "21:00-08:00"}
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Nudge", channel="sms", body="Hi")
    page = html.unescape(signed_in.get(url(journey)).content.decode())
    assert (
        "Not sent between 21:00 and 08:00 in the contact's time zone: if Ada reaches it on "
        "Friday at 22:00 in Paris, she gets it the next day at 08:00." in page
    )


def test_a_step_is_copied_right_after_itself(signed_in, journey):
    add(signed_in, journey, "message")
    save_message(signed_in, journey, "Email", name="Welcome email", subject="Hi")
    add(signed_in, journey, "delay", "Welcome_email", "next")
    response = post(
        signed_in, url(journey, "steps/Welcome_email/duplicate/"), {"revision": rev(journey)}
    )
    assert response.status_code == 200
    assert "Copied as “Welcome email copy”" in html.unescape(response.content.decode())
    assert ids(journey) == ["Welcome_email", "Welcome_email_copy", "Wait_a_day"]
    copied = journey.draft_spec["steps"][1]
    assert copied["variants"][0]["subject"] == "Hi"


def test_lint_names_variables_nobody_has(signed_in, journey, ingest):
    ingest(
        "ada",
        ("identify", {"email": "ada@example.com", "plan": "pro"}),
        ("Signed Up", {"source": "ad"}),
    )
    trigger = {"event": "Signed Up", "goal": "", "goal_within": "", "exits": ""}
    trigger |= {"where-TOTAL_FORMS": "0", "where-INITIAL_FORMS": "0", "revision": rev(journey)}
    post(signed_in, url(journey, "trigger/"), trigger)
    add(signed_in, journey, "message")
    body = "Your {{ contact.plam | default: 'x' }} plan, from {{ event.sorce }}"
    save_message(signed_in, journey, "Email", subject="Hi", body=body)
    panel = html.unescape(signed_in.get(url(journey, "checks/")).content.decode())
    assert "Uses {{ contact.plam }}, which no contact has: it would be empty." in panel
    assert "Did you mean {{ contact.plan }}?" in panel
    assert (
        "Uses “sorce” from “Signed Up”, which “Signed Up” has never had: it would be empty. "
        "Did you mean “source”?"
    ) in panel


def test_a_channel_without_test_sends_refuses_one_in_words(signed_in, journey):
    add(signed_in, journey, "message")
    fields = {"variant-0-url": "https://hooks.example.com/in", "variant-0-subject": ""}
    save_message(signed_in, journey, "Email", channel="webhook", body="{}", **fields)

    sent = post(signed_in, url(journey, "steps/Email/test-send/"), {"variant": "A"})

    assert "Not sent: a webhook cannot be sent as a test." in sent.content.decode()
