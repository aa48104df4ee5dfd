"""The journey list in a real browser: figures, search, a new journey; axe-clean."""

from __future__ import annotations

import pytest

from journeys.builder.drafts import journey_create
from journeys.builder.library import TEMPLATES
from journeys.run.journeys import journey_import

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_list_reads_plainly_and_creates_a_journey(editor_page, live_server, axe, shot):
    page = editor_page
    for template in TEMPLATES:
        journey_import(data=template.fresh(), publish=template.key == "slackbot-welcome")
    journey_create(name="Churn save", by=None)

    page.goto(f"{live_server.url}/admin/builder/")
    assert axe(page) == []
    shot(page, "list")
    page.fill("#journey-search", "trial")
    page.wait_for_function(
        "() => document.querySelectorAll('#journey-table tbody tr').length === 1"
    )
    assert page.locator("#journey-table tbody tr th").inner_text().startswith("Trial ending")

    page.click("text=New journey")
    assert axe(page) == []
    page.fill("#id_name", "Second welcome")
    page.check("text=A Slackbot-style welcome")
    page.click("#new-journey-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/builder/second-welcome/")
    assert page.js_errors == []
