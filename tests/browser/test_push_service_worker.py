"""Stepwise's push-sw.js in headless Chromium: a page registers it, a push is delivered
to it through the DevTools protocol (ServiceWorker.deliverPushMessage), the notification
appears (registration.getNotifications()) with the rendered title and text, and the
worker's "shown" report reaches Stepwise."""

from __future__ import annotations

import json
import time

import pytest
from django.db import OperationalError
from django.utils import timezone

from channels.models import Message
from channels.push import tracking_url
from journeys.models import Contact

pytestmark = [
    pytest.mark.browser,
    pytest.mark.timeout(120),
    pytest.mark.django_db(transaction=True),
]
SCOPE = "/static/stepwise/"
# Register the worker and wait until it is active (this page is outside its scope, so
# navigator.serviceWorker.ready would never resolve).
ACTIVATED = """scope => navigator.serviceWorker.register(scope + 'push-sw.js', {scope})
  .then(reg => new Promise(done => {
    const worker = reg.installing || reg.waiting || reg.active;
    if (worker.state === 'activated') return done();
    worker.addEventListener('statechange', () => worker.state === 'activated' && done());
  }))"""


def _wait(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except OperationalError:  # SQLite's shared test database, mid-write by the server
            found = None
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


def test_a_push_delivered_to_the_service_worker_shows_and_is_recorded(
    browser, live_server, settings
):
    settings.PUBLIC_URL = live_server.url
    now = timezone.now()
    ada = Contact.objects.create(user_id="ada", first_seen_at=now, last_seen_at=now)
    message = Message.objects.create(
        contact=ada,
        channel="push",
        status="sent",
        to_address="1 device",
        scheduled_for=now,
        created_at=now,
        updated_at=now,
    )
    context = browser.new_context()
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    page.goto(f"{live_server.url}/admin/login/")

    page.evaluate(ACTIVATED, SCOPE)
    registration = _wait(
        lambda: next((r for r in registrations if r["scopeURL"].endswith(SCOPE)), None),
        "the service worker's registration",
    )
    payload = {
        "title": "Bob joined your team",
        "body": "Say hi in your first shared note.",
        "url": "/notes/42",
        "message": message.pk,
        "track": tracking_url(message.pk),
    }
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": live_server.url,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )

    shown = _wait(
        lambda: page.evaluate(
            "scope => navigator.serviceWorker.getRegistration(scope)"
            ".then(r => r.getNotifications())"
            ".then(list => list.map(n => ({title: n.title, body: n.body, url: n.data.url})))",
            SCOPE,
        ),
        "the notification",
    )
    assert shown == [
        {
            "title": "Bob joined your team",
            "body": "Say hi in your first shared note.",
            "url": "/notes/42",
        }
    ]
    _wait(
        lambda: Message.objects.get(pk=message.pk).status == "delivered",
        "the worker's shown report",
    )
    context.close()
