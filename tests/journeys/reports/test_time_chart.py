"""Time to convert and time to the next step as charts that read by themselves: axes
with units, median and 90th percentile marked, a legend per colour, the uncertainty
drawn, and the figures in a text alternative."""

from __future__ import annotations

from journeys.core import report_counters as m
from journeys.reports.time_chart import Series, time_chart


def _histogram(*seconds: float) -> dict[int, int]:
    found: dict[int, int] = {}
    for value in seconds:
        found[m.bucket(value)] = found.get(m.bucket(value), 0) + 1
    return found


def test_one_group_marks_its_median_and_ninetieth_percentile():
    hours = [3600 * h for h in (1, 2, 2, 3, 5, 8, 12, 20, 30, 70)]
    svg = time_chart(
        [Series("Everyone", _histogram(*hours))], title="T", what="converted", chart_id="c"
    )
    assert svg.startswith("<svg")
    assert 'role="img"' in svg
    assert "Time since the start (log scale)" in svg
    assert "% of those who converted" in svg
    # 5 h and 30 h, within the 2.5 % of the 5 %-wide time buckets
    assert ">median 4 h 55 min<" in svg
    assert ">90 % 1 day 5 h<" in svg
    assert ">1 h<" in svg
    assert ">1 day<" in svg
    assert "Everyone (10)" in svg  # the legend, with how many
    assert "<polygon" in svg
    assert "95 % band" in svg
    assert (
        "Everyone: 10 people, half within 4 h 55 min, nine in ten within 1 day 5 h" in svg
    )  # the text alternative


def test_groups_get_a_colour_each_in_the_legend_and_their_own_markers():
    a = _histogram(*(3600 * h for h in (1, 2, 4, 8)))
    b = _histogram(*(60 * mins for mins in (5, 10, 20)))
    svg = time_chart(
        [Series("Variant A", a), Series("Variant B", b)], title="T", what="converted", chart_id="c"
    )
    assert "Variant A (4): median " in svg  # times in the legend, not over each other
    assert "Variant B (3): median " in svg
    assert svg.count('stroke-dasharray="4 3"') == 4  # median and 90 % of each group
    assert svg.count("<polyline") == 2
    assert svg.count("<polygon") == 2


def test_nothing_to_draw_draws_nothing():
    assert time_chart([Series("Everyone", {})], title="T", what="converted", chart_id="c") == ""


def test_the_report_page_shows_time_to_convert_per_journey_and_group(history, client):
    from django.contrib.auth.models import Group, User

    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    client.force_login(user)
    html = client.get("/admin/reports/trial/").content.decode()
    assert "Time to convert: Everyone" in html
    assert "Time to convert: Per group of Holdout" in html
    assert "Time from each step to the next" in html
    assert 'class="time-chart"' in html
