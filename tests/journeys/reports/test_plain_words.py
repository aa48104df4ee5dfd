"""Nothing a manager reads on a report page is template code, an internal name or an id:
every report page walked (visible text, SVG titles and descriptions, aria labels)."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Group, User

SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")
IDS = re.compile(r"(#\d+|\b(?:id|pk)\b\s*[:=#]?\s*\d+|\benrollment \d+|\bcontact \d+)", re.I)


@pytest.fixture
def editor(db, client):
    user = User.objects.create_user("manager", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Report viewers"))
    user.groups.add(Group.objects.get(name="Journey editors"))
    client.force_login(user)
    return client


def readable(page: str) -> str:
    """What a person reads or hears: the main content's text and its aria labels."""
    main = page.split('id="content"', 1)[1] if 'id="content"' in page else page
    main = re.sub(r"<(script|style)\b.*?</\1>", " ", main, flags=re.S)
    labels = " ".join(re.findall(r'aria-label="([^"]*)"', main))
    text = re.sub(r"<[^>]+>", " ", main)
    return html.unescape(f"{text} {labels}")


def test_no_template_code_internal_names_or_ids_on_any_report_page(history, editor):
    pages = [
        "/admin/reports/",
        "/admin/reports/trial/",
        "/admin/reports/trial/?version=1",
        "/admin/reports/trial/?by=trait:plan",
        "/admin/reports/trial/steps/wait_upload/?which=waiting",
        "/admin/reports/trial/steps/wait_upload/?which=left",
    ]
    for url in pages:
        response = editor.get(url)
        assert response.status_code == 200, url
        text = readable(response.content.decode())
        assert "{{" not in text, url
        assert "{%" not in text, url
        assert SNAKE.findall(text) == [], url
        assert IDS.findall(text) == [], url


def test_the_walk_would_catch_what_it_looks_for():
    leaked = readable('<div id="content"><p>Answered ask_name {{ x }} for contact 12</p></div>')
    assert SNAKE.findall(leaked) == ["ask_name"]
    assert "{{" in leaked
    assert IDS.findall(leaked) == ["contact 12"]
