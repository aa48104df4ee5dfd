"""Headless Chromium (Debian's package) driven by Playwright, against a live server."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
# Served by the live server like any static file, so a page's CSP (script-src 'self') allows it.
AXE_URL = "/static/vendor/axe-core/axe.min.js"
ADMIN_PASSWORD = "browser-test-password"

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

# An `expect` waits as long as a page action does (the builder's pages set 20 s): the CI
# machine runs two test workers, Chromium and PostgreSQL on two cores, and the builder's
# edits queue behind its panels' refreshes (hx-sync), so a redraw can take more than
# Playwright's default 5 s there without anything being wrong (a CI run failed so).
expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def browser():
    if not shutil.which(CHROMIUM) and not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium is not installed at {CHROMIUM} (make test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def staff_page(page, live_server, django_user_model):
    django_user_model.objects.create_superuser("staff", "staff@example.com", ADMIN_PASSWORD)
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", ADMIN_PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_selector("#site-name")
    return page


def axe_violations(page, *, context: str | None = None) -> list[dict]:
    """axe-core's violations on the page as it is now: every rule axe runs by default (WCAG 2
    A/AA and best practices), open shadow roots included.

    Each violation is reduced to its rule id, impact, help text and the failing nodes'
    selectors, so a failed assertion reads as a to-do list.
    """
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url=AXE_URL)
    result = page.evaluate(
        "async (context) => await axe.run(context ? document.querySelector(context) : document)",
        context,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


@pytest.fixture
def axe():
    """`axe(page)` -> the page's accessibility violations (see axe_violations)."""
    return axe_violations
