"""The strict Content-Security-Policy holds in a real browser: no page of the admin, the
builder or the preference pages has script or markup the policy blocks, and htmx works."""

from __future__ import annotations

import pytest

from journeys.models import Contact
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import

pytestmark = pytest.mark.browser

WELCOME = {
    "format": "stepwise.journey/1",
    "key": "welcome",
    "name": "Welcome",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {
            "id": "hello",
            "type": "message",
            "channel": "email",
            "variants": [{"subject": "Welcome, {{ contact.first_name }}", "body": "Hi **there**"}],
        }
    ],
}


def _violations(page) -> list[str]:
    blocked: list[str] = []
    page.on(
        "console",
        lambda message: (
            blocked.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return blocked


def test_admin_and_builder_pages_run_under_the_policy(staff_page, live_server):
    page = staff_page
    blocked = _violations(page)
    source, _key = source_create(name="Acme")
    from django.utils import timezone

    now = timezone.now()
    ada = Contact.objects.create(
        source=source, user_id="ada", email="ada@example.com", first_seen_at=now, last_seen_at=now
    )
    journey = journey_import(data=WELCOME, publish=True)

    for path in (
        "/admin/",
        "/admin/builder/",
        f"/admin/journeys/contact/{ada.pk}/change/",
        f"/admin/journeys/journey/{journey.pk}/change/",
        "/admin/journeys/contact/",
        "/unsubscribe/test/",
    ):
        answer = page.goto(f"{live_server.url}{path}")
        assert answer.status < 400, path
        assert "script-src 'self'" in answer.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")

    page.goto(f"{live_server.url}/admin/builder/")
    assert page.evaluate("() => typeof window.htmx") == "object"  # vendored htmx loaded
    assert blocked == []
