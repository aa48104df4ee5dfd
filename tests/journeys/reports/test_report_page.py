"""A known history through the event API's storage and the real worker, then every
figure checked on the report page, in its CSV downloads and in the command's JSON:
holdouts, a branch that skips a step, an exit, a merge, versions, and a conversion after
the contact finished the journey."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from datetime import date

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from openpyxl import load_workbook

from channels.delivery.messages import message_track
from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from journeys.models import Enrollment, MessageVariant
from journeys.reports.downloads import sheet_xlsx
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.journeys import journey_publish

STEPS = {  # id: (reached, waiting, left)
    "holdout": (7, 0, 0),
    "welcome": (5, 0, 0),
    "wait_upload": (5, 1, 2),
    "pro": (2, 0, 0),
    "praise": (1, 0, 0),
    "nudge": (0, 0, 0),
    "wait_invite": (0, 0, 0),
    "end": (4, 0, 4),
}


def _json(*args: str) -> dict:
    out = io.StringIO()
    call_command("journey_report", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_command_json_has_every_figure(history):
    data = _json("trial")
    assert (data["journey"], data["version"]) == ("trial", None)
    assert (data["entered"], data["converted"]) == (7, 2)
    assert data["conversion_rate"] == round(2 / 7, 6)
    assert data["time_to_convert"]["median_seconds"] is not None
    order = [s["id"] for s in data["steps"]]
    assert order == [
        "holdout",
        "welcome",
        "wait_upload",
        "pro",
        "nudge",
        "praise",
        "wait_invite",
        "end",
    ]
    assert {s["id"]: (s["reached"], s["waiting"], s["left"]) for s in data["steps"]} == STEPS
    paths = {v["variant"]: v for v in data["variants"] if v["step"] == "holdout"}
    assert (paths["path 1"]["entered"], paths["path 1"]["converted"]) == (5, 1)
    assert (paths["path 2"]["entered"], paths["path 2"]["converted"]) == (2, 1)
    assert paths["path 2"]["holdout"] is True
    welcome = [v for v in data["variants"] if v["step"] == "welcome"]
    assert sum(v["entered"] for v in welcome) == 5
    assert {v["variant"] for v in welcome} == {"A", "B"}
    assert all(0 <= v["probability_best"] <= 1 for v in data["variants"])
    assert "Too early to call" in data["verdicts"]["holdout"]["verdict"]
    assert "doing nothing" in data["verdicts"]["holdout"]["lift"]
    sent = {d["step"]: d for d in data["deliverability"]}
    welcome = [d for d in data["deliverability"] if d["step"] == "welcome"]
    assert sum(d["queued"] + d["sent"] + d["cancelled"] for d in welcome) == 5
    # d left, and f was merged into c (its trip ended): their welcome had waited.
    because = sum((Counter(d["cancelled_because"]) for d in welcome), Counter())
    assert because == {"left the journey first": 2}
    assert sent["praise"]["delivered"] == 1  # in-app: delivered as the step is taken
    assert data["cohorts"][0]["entered"] == 7
    assert data["cohorts"][0]["converted"] == 2


def test_versions_and_days_filter_the_command(
    history, trial_doc, contact_on_path, send_event, run_worker
):
    history.draft_spec = {**trial_doc, "name": "Trial onboarding 2"}
    history.save()
    journey_publish(journey=history)
    late = contact_on_path(1, prefix="late")
    send_event(late, "Signed Up")
    run_worker()
    assert _json("trial")["entered"] == 8
    assert _json("trial", "--version", "1")["entered"] == 7
    assert _json("trial", "--version", "2")["entered"] == 1
    assert _json("trial", "--since", "2999-01-01")["entered"] == 0
    with pytest.raises(CommandError, match="no version 9"):
        _json("trial", "--version", "9")
    with pytest.raises(CommandError, match="must be a day"):
        _json("trial", "--since", "yesterday")


@pytest.fixture
def viewer(db, client):
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    return client


def _csv(client, table: str) -> list[list[str]]:
    response = client.get(f"/admin/reports/trial/{table}.csv")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_page_and_its_csv_show_the_same_figures(history, viewer):
    response = viewer.get("/admin/reports/trial/")
    assert response.status_code == 200
    html = response.content.decode()
    assert (
        "Conversion: 28.6 % — 2 of 7 contacts reached the goal within 7 days of entering." in html
    )
    assert "over doing nothing" in html  # the holdout's lift, beside the headline
    assert "Set a goal" not in html
    assert "<svg" in html
    assert '<title id="funnel-title">' in html
    assert "<script" not in html.split("</head>")[1]
    assert " onclick=" not in html
    funnel = _csv(viewer, "funnel")
    assert funnel[0][:7] == [
        "Step", "Path", "Reached", "Share of entrants", "Still in progress here",
        "Stopped here", "Drop-off",
    ]  # fmt: skip
    by_name = {row[0]: dict(zip(funnel[0], row, strict=True)) for row in funnel[1:]}
    assert list(by_name) == [
        "Holdout", "Welcome", "Wait upload", "Pro", "Nudge", "Praise", "Wait invite", "End",
    ]  # fmt: skip
    for key, (reached, waiting, left) in STEPS.items():
        row = by_name[key.replace("_", " ").capitalize()]
        assert int(row["Reached"]) == reached  # numbers, not "5 (71.4 %)"
        assert float(row["Share of entrants"]) == pytest.approx(reached / 7, abs=1e-6)
        assert int(row["Still in progress here"]) == waiting
        if key == "end":
            assert (row["Stopped here"], row["Finished here"]) == ("", str(left))
        else:
            assert int(row["Stopped here"]) == left
        assert f"<td>{reached}</td>" in html
    assert by_name["Praise"]["Path"] == "Pro: no"
    # 2 left, of 5 who reached it; the one still waiting (wait not over) is no drop-off
    assert float(by_name["Wait upload"]["Drop-off"]) == 0.4
    assert "<td>2 (40 %)</td>" in html
    assert by_name["End"]["Drop-off"] == ""
    variants = _csv(viewer, "variants")
    holdout = [
        dict(zip(variants[0], r, strict=True)) for r in variants[1:] if r[1].startswith("Path 2")
    ][0]
    assert holdout["Group"] == "Path 2 (20 %): gets nothing (holdout)"
    assert (holdout["Entered"], holdout["Converted"], holdout["Conversion rate"]) == (
        "2",
        "1",
        "0.5",
    )
    assert 0 <= float(holdout["Conversion rate, 95 % interval low"]) < 0.5
    assert holdout["Group"] in html
    cohorts = _csv(viewer, "cohorts")
    assert cohorts[0] == ["Week starting", "Entered", "Converted", "Conversion rate", "Finished"]
    assert date.fromisoformat(cohorts[1][0]).weekday() == 0  # a Monday, as an ISO date
    assert cohorts[1][1:4] == ["7", "2", str(round(2 / 7, 6))]
    deliverability = _csv(viewer, "deliverability")
    assert deliverability[0][-1] == "SMS STOP replies"
    assert "Deferred for quiet hours" in deliverability[0]
    labels = {(row[0], row[1]) for row in deliverability[1:]}
    assert ("Praise", "Only one version") in labels  # no "Variant A" where nothing is tested
    assert {("Welcome", "A"), ("Welcome", "B")} <= labels
    assert "<td>Only one version</td>" in html


def test_a_table_downloads_as_an_excel_file_with_numbers(history, viewer):
    response = viewer.get("/admin/reports/trial/funnel.xlsx")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="trial-funnel.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Step", "Path", "Reached", "Share of entrants")
    wait = next(r for r in rows if r[0] == "Wait upload")
    assert wait[2] == 5
    assert wait[3] == pytest.approx(5 / 7, abs=1e-6)
    assert sheet["D2"].number_format == "0.0%"  # a fraction, shown as a percentage


def test_text_that_looks_like_a_formula_stays_text_in_excel():
    sheet = (["Step", "Reached"], [['=HYPERLINK("http://x")', 3]])
    book = load_workbook(io.BytesIO(sheet_xlsx(sheet, title="Funnel")))
    cell = book.active["A2"]
    assert cell.data_type == "s"
    assert cell.value == '=HYPERLINK("http://x")'


def test_the_overview_lists_live_journeys(history, viewer):
    html = viewer.get("/admin/reports/").content.decode()
    assert "Trial onboarding" in html
    assert "28.6 %" in html
    assert 'class="trend"' in html


def test_people_without_the_report_permission_are_refused(history, client):
    user = User.objects.create_user("someone", password="pw", is_staff=True)
    client.force_login(user)
    response = client.get("/admin/reports/trial/")
    assert response.status_code == 403
    assert "Report viewers" in response.content.decode()
    assert client.get("/admin/reports/trial/funnel.csv").status_code == 403


def test_report_viewers_cannot_edit_journeys(viewer):
    assert viewer.get("/admin/journeys/journey/add/").status_code == 403


def test_a_bad_filter_is_said_and_ignored(history, viewer):
    html = viewer.get("/admin/reports/trial/?version=7&since=nope").content.decode()
    assert "There is no version 7" in html
    assert "must be a date like 2026-12-01" in html
    assert "2 of 7 contacts reached the goal" in html
    assert viewer.get("/admin/reports/nope/").status_code == 404


def test_the_admin_index_links_to_the_reports(viewer):
    assert 'href="/admin/reports/"' in viewer.get("/admin/").content.decode()


def test_guardrails_count_unsubscribes_and_sms_stops_per_variant(
    trial, contact_on_path, send_event, run_worker
):

    people = [contact_on_path(0, prefix=f"g{i}", phone=f"+1415555010{i}") for i in range(4)]
    for contact in people:
        send_event(contact, "Signed Up")
    run_worker()
    welcome = list(Message.objects.filter(channel="email").order_by("pk"))
    message_track(status="unsubscribed", message_id=welcome[0].pk)
    # The wait times out (its timer brought forward): the SMS nudge goes out.
    Enrollment.objects.filter(contact__in=people).update(wake_at=timezone.now())

    enrollments_wake_due(now=timezone.now())
    nudges = Message.objects.filter(channel="sms")
    assert nudges.count() == 4
    for message in nudges:
        Message.objects.filter(pk=message.pk).update(status="sent")
    subscription_set(
        contact_id=people[1].pk, channel="sms", state="unsubscribed", reason="replied STOP by SMS"
    )
    data = _json("trial")
    rates = {(v["step"], v["variant"]): v for v in data["variants"]}
    unsubscribed = welcome[0].variant_id

    name = MessageVariant.objects.get(pk=unsubscribed).name
    group = rates[("welcome", name)]
    assert group["unsubscribe_rate"] > 0
    assert rates[("welcome", "B" if name == "A" else "A")]["unsubscribe_rate"] == 0
    stops = [v for v in data["variants"] if v["step"] == "nudge"]
    assert stops == []  # one variant: not an A/B test, but its outcomes are listed
    nudge = [d for d in data["deliverability"] if d["step"] == "nudge"][0]
    assert nudge["sent"] == 4
    assert nudge["sms_stops"] == 1
