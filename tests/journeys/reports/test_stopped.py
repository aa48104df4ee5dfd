"""Drop-off means stopped: a contact whose wait is not over is "still in progress here",
not a drop-off; one whose wait is over (its timer ran out, or the goal's window closed)
has stopped there, like one who exited or failed."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.utils import timezone

from journeys.models import Enrollment
from journeys.reports.selectors import Filter
from journeys.reports.wait_over import report_wait_over


@pytest.fixture
def viewer(db, client):
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    return client


def _wait_upload(viewer) -> dict[str, str]:
    """The "Wait upload" row of the funnel CSV, by column name."""
    body = viewer.get("/admin/reports/trial/funnel.csv").content.decode()
    rows = list(csv.reader(io.StringIO(body)))
    row = next(r for r in rows[1:] if r[0] == "Wait upload")
    return dict(zip(rows[0], row, strict=True))


def _waiting():
    return Enrollment.objects.filter(step_key="wait_upload", state="waiting")


def test_a_wait_not_over_is_in_progress_not_a_drop_off(history, viewer):
    assert _waiting().get().wake_at > timezone.now()  # its two days are not over
    row = _wait_upload(viewer)
    assert (row["Still in progress here"], row["Stopped here"]) == ("1", "2")
    assert row["Drop-off"] == "0.4"  # d exited, f merged away; c is still waiting


def test_a_wait_whose_timer_ran_out_is_a_drop_off(history, viewer):
    _waiting().update(wake_at=timezone.now() - timedelta(minutes=1))
    row = _wait_upload(viewer)
    assert (row["Still in progress here"], row["Stopped here"]) == ("0", "3")
    assert row["Drop-off"] == "0.6"


def test_a_wait_without_a_timer_stops_when_the_goal_window_closes(history):
    _waiting().update(wake_at=None)
    week = timedelta(days=7)  # the trial's goal window
    now = timezone.now()

    def over(at):
        return report_wait_over(history, Filter(), None, within=week, now=at)

    assert over(now) == {}  # still in progress
    assert over(now + timedelta(days=6)) == {}
    assert over(now + timedelta(days=7, minutes=1)) == {"wait_upload": 1}  # the same day
    assert over(now + timedelta(days=9)) == {"wait_upload": 1}  # from the counters
    # without a goal window, a wait without a timer is never over
    assert report_wait_over(history, Filter(), None, within=None, now=now + week * 50) == {}


def test_the_page_tells_in_progress_from_stopped(history, viewer):
    html = viewer.get("/admin/reports/trial/").content.decode()
    assert "1 waiting</a> (1 still in progress, 0 with the wait over)" in html
    assert "people still in progress are not counted as dropped" in html
