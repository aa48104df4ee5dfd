"""The headline a manager reads first: conversion within the goal's window when there is
a goal (with the holdout's lift), completion and a nudge to set a goal when there is
none; the overview ranks by the figure that applies and says which."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User

from journeys.core.spec import Goal
from journeys.reports.headline import headline, ranked


@pytest.fixture
def trial_doc(trial_doc):
    """The trial journey without its goal (the shared history runs on it)."""
    trial_doc.pop("goal")
    return trial_doc


@pytest.fixture
def viewer(db, client):
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    return client


def test_without_a_goal_the_page_shows_completion_and_links_to_the_builder(history, viewer):
    html = viewer.get("/admin/reports/trial/").content.decode()
    # a and b finished, the two held out completed at once; c waits, d left, f merged.
    assert "Completion: 57.1 % — 4 of 7 contacts finished the journey." in html
    assert "reached the goal" not in html
    assert "0 %" not in html.split('class="headline"')[1].split("</p>")[0]
    assert 'href="/admin/builder/trial/">Set a goal to measure conversion</a>' in html


def test_the_overview_says_which_figure_ranks_a_journey_without_a_goal(history, viewer):
    html = viewer.get("/admin/reports/").content.decode()
    assert "Completion (no goal set)" in html
    assert "57.1 %" in html
    assert 'href="/admin/builder/trial/">Set a goal to measure conversion</a>' in html


def test_conversion_names_its_window_and_carries_the_lift():
    line = headline(
        goal=Goal("Invited Teammate", within=timedelta(days=14)),
        entered=200,
        converted=30,
        completed=150,
        lift="The journey adds 5.0 points …",
    )
    assert line.sentence == (
        "Conversion: 15 % — 30 of 200 contacts reached the goal within 14 days of entering."
    )
    assert line.lift.startswith("The journey adds")
    assert not line.needs_goal


def test_the_overview_ranks_goals_by_conversion_then_the_rest_by_completion():
    goal = Goal("Paid")
    rows = [
        (headline(goal=None, entered=10, converted=0, completed=9), "Tour"),
        (headline(goal=goal, entered=10, converted=2, completed=9), "Trial"),
        (headline(goal=goal, entered=10, converted=5, completed=1), "Upgrade"),
        (headline(goal=None, entered=10, converted=0, completed=3), "Alpha"),
    ]
    assert [name for _, name in ranked(rows)] == ["Upgrade", "Trial", "Tour", "Alpha"]
