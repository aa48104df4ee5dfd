"""The journey report in a real browser: a seeded history through the real worker, the
funnel chart and its figures, the drop-off list with one action, axe-core clean.
Screenshots go to docs/reports/ only with STEPWISE_SCREENSHOTS=1 (else under var/)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from journeys.models import Enrollment
from tests.journeys.reports.conftest import (  # noqa: F401 - shared fixtures
    contact_on_path,
    history,
    trial,
    trial_doc,
)
from tests.journeys.runtime.conftest import (  # noqa: F401 - shared fixtures
    make_contact,
    run_worker,
    send_event,
    source,
)

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shot():
    folder = ROOT / (
        "docs/reports"
        if os.environ.get("STEPWISE_SCREENSHOTS") == "1"
        else "var/screenshots/reports"
    )
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> None:
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    return take


def test_a_manager_reads_the_report_and_exits_a_stuck_contact(
    history,  # noqa: F811 - the shared fixture
    staff_page,
    live_server,
    axe,
    shot,  # noqa: F811 - the shared fixture
):
    page = staff_page
    page.goto(f"{live_server.url}/admin/")
    page.get_by_role("link", name="Journey reports").click()
    page.get_by_role("link", name="Trial onboarding").click()

    expect(
        page.get_by_text(
            "Conversion: 28.6 % — 2 of 7 contacts reached the goal within 7 days of entering."
        )
    ).to_be_visible()
    chart = page.locator("svg.funnel-chart")
    assert chart.get_attribute("role") == "img"
    assert (
        "Wait upload (Holdout: path 1): 5 reached, 71.4 % of entrants"
        in chart.locator("desc").text_content()
    )
    bars = chart.locator("g.funnel-step")
    assert bars.count() == 8
    assert bars.nth(0).get_attribute("data-step") == "holdout"
    assert "7 · 100 %" in bars.nth(0).text_content()
    funnel = page.locator("table", has=page.locator("caption", has_text="Funnel"))
    row = funnel.locator("tr", has=page.locator("th", has_text="Wait upload"))
    assert row.locator("td").all_inner_texts()[:5] == ["Holdout: path 1", "5", "71.4 %", "1", "2"]
    expect(page.get_by_text("Too early to call").first).to_be_visible()
    assert axe(page) == []
    shot(page, "journey-report")

    page.get_by_role("link", name="1 waiting").click()
    expect(page.get_by_text("1 contact waiting at this step")).to_be_visible()
    assert axe(page) == []
    page.locator("input[name=pick]").first.check()
    shot(page, "drop-off-list")
    page.get_by_role("button", name="Exit them from the journey").click()
    expect(page.get_by_text("1 contact(s) left the journey.")).to_be_visible()
    assert not Enrollment.objects.filter(state="waiting", step_key="wait_upload").exists()

    page.goto(f"{live_server.url}/admin/reports/")
    assert page.locator("svg.trend").count() == 1
    assert axe(page) == []
    shot(page, "overview-first-week")


def test_a_manager_reads_the_sample_ab_test_in_two_minutes(staff_page, live_server, axe, shot):
    from journeys.people.sources import source_create
    from journeys.tasks import process_pending_events
    from onboarding.sample_traffic import load_sample_traffic

    demo_source, _ = source_create(name="Demo app")
    load_sample_traffic(source_id=demo_source.pk)
    while process_pending_events(linger=0):
        pass
    page = staff_page
    page.goto(f"{live_server.url}/admin/reports/")
    headline = "Conversion: reached the goal within 14 days of entering"
    expect(page.get_by_text(headline)).to_be_visible()
    assert axe(page) == []
    shot(page, "overview")
    page.get_by_role("link", name="Trial: invite a teammate").click()
    expect(page.get_by_text("Variant B converts")).to_be_visible()
    expect(page.get_by_text("likely to be best").first).to_be_visible()
    expect(page.get_by_text("so the groups are comparable").first).to_be_visible()
    expect(page.get_by_text("The journey adds").first).to_be_visible()
    assert page.locator("svg.time-chart").count() >= 3
    assert axe(page) == []
    shot(page, "journey-report-ab-test")


def test_a_breakdown_appears_by_itself_once_the_worker_has_worked_it_out(
    history,  # noqa: F811 - the shared fixture
    staff_page,
    live_server,
    axe,
    monkeypatch,
    settings,
):
    from django.utils.module_loading import import_string
    from django_q.conf import Conf
    from django_q.models import OrmQ
    from django_q.signing import SignedPackage

    monkeypatch.setattr(Conf, "SYNC", False)  # queued for a worker, not run inline
    monkeypatch.setattr(Conf, "ORM", "default")
    settings.Q_CLUSTER = {**settings.Q_CLUSTER, "sync": False}
    page = staff_page
    page.goto(f"{live_server.url}/admin/reports/trial/")
    page.get_by_label("Conversion by").select_option(label="Plan (contact trait)")
    page.get_by_role("button", name="Break down").click()
    expect(page.get_by_text("Working out these figures in the background")).to_be_visible()
    assert axe(page) == []
    url = page.url
    queued = OrmQ.objects.filter(key=settings.Q_WAKEUPS_CLUSTER)
    assert queued.count() == 1
    task = SignedPackage.loads(queued.get().payload)
    import_string(task["func"])(*task["args"])  # what the wake-ups worker does
    table = page.locator("table", has=page.locator("caption", has_text="Conversion by Plan"))
    expect(table.locator("tr", has_text="Not set")).to_contain_text("6")  # no reload
    assert page.url == url
    expect(page.locator("p.breakdown-age")).to_contain_text("Figures as of")
    assert axe(page) == []
