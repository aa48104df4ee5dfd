"""Browser fixtures for the builder: signed-in staff pages without the login form (a session
cookie made by Django's test client), so each test spends its time on the builder."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client

DOCS = Path(__file__).resolve().parents[3] / "docs" / "builder"
# Tests must not rewrite tracked files: screenshots go to docs/builder/ only when asked
# (STEPWISE_SCREENSHOTS=1), otherwise to the untracked var/screenshots/builder/.
SCRATCH = Path(__file__).resolve().parents[3] / "var" / "screenshots" / "builder"


def _signed_in(browser, live_server, user):
    client = Client()
    client.force_login(user)
    context = browser.new_context(viewport={"width": 1440, "height": 1000})
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    page = context.new_page()
    page.set_default_timeout(20_000)  # the machine is shared: a slow swap is not a failure
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda message: errors.append(message.text) if message.type == "error" else None,
    )
    page.js_errors = errors
    return context, page


def _ensure_groups() -> None:
    """Live-server tests flush the database between tests, data migrations included: put
    the staff groups back with the migration's own function."""
    if not Group.objects.filter(name="Journey editors").exists():
        migration = importlib.import_module("journeys.migrations.0004_staff_groups")
        migration.create_groups(django_apps, None)


@pytest.fixture
def staff_user(django_user_model):
    _ensure_groups()

    def make(username: str, group: str = "Journey editors"):
        user = django_user_model.objects.create_user(
            username, f"{username}@example.com", "pw", is_staff=True, first_name=username.title()
        )
        user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def editor_page(browser, live_server, staff_user):
    context, page = _signed_in(browser, live_server, staff_user("casey"))
    yield page
    context.close()


@pytest.fixture
def second_editor_page(browser, live_server, staff_user):
    context, page = _signed_in(browser, live_server, staff_user("grace"))
    yield page
    context.close()


@pytest.fixture
def viewer_page(browser, live_server, staff_user):
    context, page = _signed_in(browser, live_server, staff_user("rita", "Report viewers"))
    yield page
    context.close()


@pytest.fixture
def shot():
    """Save a screenshot for docs/builder/ (what the README shows) when
    STEPWISE_SCREENSHOTS=1, else under var/ (never a tracked file)."""
    folder = DOCS if os.environ.get("STEPWISE_SCREENSHOTS") == "1" else SCRATCH
    folder.mkdir(parents=True, exist_ok=True)

    def take(page, name: str, *, selector: str | None = None, full_page: bool = False) -> Path:
        path = folder / f"{name}.png"
        target = page.locator(selector) if selector else page
        if selector:
            target.screenshot(path=str(path))
        else:
            page.screenshot(path=str(path), full_page=full_page)
        return path

    return take
