"""Drop-off lists: who is stuck at a step or left there, one click from their trace, and
the three things an editor can do for them, each audited and through the real services."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User

from channels.models import Message
from journeys.models import AuditEntry, Enrollment, StepVisit, Subscription
from journeys.reports.recount import recount, stored


@pytest.fixture
def stuck(trial, contact_on_path, send_event, run_worker):
    """Two contacts waiting at "Wait upload" (one opted out of email), one who left there."""
    ann = contact_on_path(0, prefix="ann", first_name="Ann")
    ben = contact_on_path(0, prefix="ben", first_name="Ben")
    cat = contact_on_path(0, prefix="cat", first_name="Cat")
    for contact in (ann, ben, cat):
        send_event(contact, "Signed Up")
    run_worker()
    send_event(cat, "Account Deleted")
    run_worker()
    Subscription.objects.create(contact=ben, channel="email", state="unsubscribed", reason="test",
                                changed_at=ben.last_seen_at)  # fmt: skip
    return {"ann": ann, "ben": ben, "cat": cat}


def _signed_in(client, group: str) -> User:
    user = User.objects.create_user(f"u-{group}", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def _enrollment(contact) -> Enrollment:
    return Enrollment.objects.get(contact=contact)


def test_the_lists_show_who_waits_and_who_left_with_their_trace(stuck, client):
    _signed_in(client, "Report viewers")
    html = client.get("/admin/reports/trial/steps/wait_upload/?which=waiting").content.decode()
    assert "2 contacts waiting at this step" in html
    assert "Ann (" in html
    assert "Ben (" in html
    assert "Cat (" not in html
    assert f"/admin/journeys/contact/{stuck['ann'].pk}/change/" in html
    assert 'name="pick"' not in html  # viewers look, they do not act
    left = client.get("/admin/reports/trial/steps/wait_upload/?which=left").content.decode()
    assert "1 contact whose trip ended" in left
    assert "Cat (" in left
    assert client.get("/admin/reports/trial/steps/nope/").status_code == 404


def test_viewers_cannot_act(stuck, client):
    _signed_in(client, "Report viewers")
    response = client.post(
        "/admin/reports/trial/steps/wait_upload/act/",
        {"action": "exit", "pick": [_enrollment(stuck["ann"]).pk]},
    )
    assert response.status_code == 403
    assert _enrollment(stuck["ann"]).state == "waiting"


def test_an_editor_exits_a_contact_audited_and_counted(stuck, client):
    _signed_in(client, "Journey editors")
    ann = _enrollment(stuck["ann"])
    response = client.post(
        "/admin/reports/trial/steps/wait_upload/act/", {"action": "exit", "pick": [ann.pk]}
    )
    assert response.status_code == 302
    ann.refresh_from_db()
    assert ann.state == "exited"
    assert not StepVisit.objects.filter(enrollment=ann, left_at__isnull=True).exists()
    entry = AuditEntry.objects.get(action="report.exit")
    assert entry.actor.username == "u-Journey editors"
    assert ann.traces.filter(code="staff.exited").exists()
    assert stored() == recount()


def test_an_editor_moves_a_waiting_contact_on(stuck, client):
    _signed_in(client, "Journey editors")
    ann = _enrollment(stuck["ann"])
    client.post(
        "/admin/reports/trial/steps/wait_upload/act/", {"action": "move_on", "pick": [ann.pk]}
    )
    ann.refresh_from_db()
    assert ann.step_key == "wait_invite"  # the wait ran out: nudge, then the next wait
    assert AuditEntry.objects.filter(action="report.move_on").count() == 1
    assert stored() == recount()


def test_a_one_off_message_respects_opt_outs_and_is_audited(stuck, client):
    _signed_in(client, "Journey editors")
    picks = [_enrollment(stuck["ann"]).pk, _enrollment(stuck["ben"]).pk]
    before = Message.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    response = client.post(
        "/admin/reports/trial/steps/wait_upload/act/",
        {
            "action": "send",
            "pick": picks,
            "channel": "email",
            "subject": "Stuck?",
            "body": "Can we help?",
        },
        follow=True,
    )
    assert "Message queued for 1 contact(s)" in response.content.decode()
    assert "1 not sent" in response.content.decode()
    new = Message.objects.filter(pk__gt=before)
    assert {m.status for m in new} == {"queued", "suppressed"}
    entry = AuditEntry.objects.get(action="report.send")
    assert entry.diff["queued"] == 1
    assert entry.diff["not_sent"] == 1
    refused = client.post(
        "/admin/reports/trial/steps/wait_upload/act/",
        {"action": "send", "pick": picks, "channel": "email", "body": "no subject"},
        follow=True,
    )
    assert "needs a channel, a text and (for email) a subject" in refused.content.decode()


def test_a_drop_off_list_downloads_as_csv(stuck, client):
    _signed_in(client, "Report viewers")
    response = client.get("/admin/reports/trial/steps/wait_upload/contacts.csv?which=waiting")
    assert response.status_code == 200
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "First name,Last name,Email,Phone,User ID,Here since,Now"
    assert sorted(line.split(",")[0] for line in lines[1:]) == ["Ann", "Ben"]
    assert all(line.endswith(",waiting") for line in lines[1:])
    stamps = [line.split(",")[5] for line in lines[1:]]
    for stamp in stamps:  # ISO 8601 with its offset: a spreadsheet reads it as a time
        assert datetime.fromisoformat(stamp).utcoffset() == timedelta(0)
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", stamp)


def test_a_name_a_spreadsheet_would_run_is_quoted_in_the_csv(stuck, client):
    stuck["ann"].first_name = "=HYPERLINK()"
    stuck["ann"].save()
    _signed_in(client, "Report viewers")
    response = client.get("/admin/reports/trial/steps/wait_upload/contacts.csv?which=waiting")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK()" in text
    assert "\n=HYPERLINK" not in text
