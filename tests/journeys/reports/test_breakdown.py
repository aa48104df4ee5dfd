"""Conversion split by a contact trait or a property of the trigger event: the top
values, "Other" and "Not set", each with its count and 95 % range."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User

from journeys.models import Enrollment
from journeys.reports.breakdown import NOT_SET, OTHER, slices


@pytest.fixture
def viewer(db, client):
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    return client


def test_the_top_values_then_other_then_not_set():
    rows = [("pro", 50, 20), ("free", 100, 10), (None, 7, 1), ("", 3, 0)]
    rows += [(f"tier {n}", 2, 1) for n in range(8)]
    found = slices(rows, top=3)
    assert [s.label for s in found] == ["free", "pro", "tier 0", OTHER, NOT_SET]
    assert (found[0].entered, found[0].count, found[0].rate) == (100, 10, 0.1)
    assert (found[3].entered, found[3].count) == (14, 7)  # tiers 1–7 pooled
    assert (found[4].entered, found[4].count) == (10, 1)
    low, high = found[1].interval
    assert low < 0.4 < high


def test_conversion_by_a_trait_on_the_page(history, viewer):
    html = viewer.get("/admin/reports/trial/").content.decode()
    assert '<option value="trait:plan">Plan (contact trait)</option>' in html
    html = viewer.get("/admin/reports/trial/?by=trait:plan").content.decode()
    table = html.split("Conversion by Plan (contact trait)")[1].split("</table>")[0]
    # b is on the pro plan and did not convert; everyone else has no plan
    assert '<th scope="row">pro</th><td>1</td><td>0</td><td>0 %</td>' in table
    assert '<th scope="row">Not set</th><td>6</td><td>2</td><td>33.3 %</td>' in table


def test_conversion_by_a_trigger_event_property(
    trial, make_contact, send_event, run_worker, viewer
):

    for index, plan in enumerate(["team", "team", "solo"]):
        contact = make_contact(f"t{index}")
        send_event(contact, "Signed Up", plan=plan)
    run_worker()
    assert Enrollment.objects.count() == 3
    html = viewer.get("/admin/reports/trial/?by=event:plan").content.decode()
    assert "Conversion by Plan (trigger event property)" in html
    assert '<th scope="row">team</th><td>2</td><td>0</td>' in html
    assert '<th scope="row">solo</th><td>1</td><td>0</td>' in html


def test_a_trait_nobody_has_is_all_not_set_and_nonsense_is_ignored(history, viewer):
    html = viewer.get("/admin/reports/trial/?by=trait:nope").content.decode()
    assert '<th scope="row">Not set</th><td>7</td><td>2</td>' in html
    html = viewer.get("/admin/reports/trial/?by=trait:%3Cscript%3E").content.decode()
    assert "most common values" not in html


def test_the_funnel_by_a_trait(history, viewer):
    html = viewer.get("/admin/reports/trial/?by=trait:plan").content.decode()
    table = html.split("The funnel by Plan (contact trait)")[1].split("</table>")[0]
    header = '<th scope="col">Plan (contact trait)</th><th scope="col">Entered</th>'
    assert header + '<th scope="col">Holdout</th><th scope="col">Welcome</th>' in table
    # b (pro) went through the welcome and the upload, then straight to the end
    pro = table.split('<th scope="row">pro</th>')[1].split("</tr>")[0]
    cells = [c.split("</td>")[0] for c in pro.split("<td>")[1:]]
    assert cells == ["1", "100 %", "100 %", "100 %", "100 %", "0 %", "0 %", "0 %", "100 %"]
