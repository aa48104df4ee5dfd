"""A push step in the builder, in a real browser, as a customer-success person meets it:
the channel's fields in plain words, the lock-screen and desktop preview for a real
contact, and the checks that warn before publishing (text a phone will cut, people of the
audience with no device). Screenshots for docs/builder/ (push-*.png); axe finds nothing."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.utils import timezone

from channels.push_devices import PushDevice, device_register
from journeys.builder.drafts import journey_create
from journeys.models import Contact, Event
from journeys.people.catalogue import catalogue_record
from journeys.people.sources import source_create
from tests.journeys.core.helpers import journey_doc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHANNEL = "push"
STEPS = [
    {
        "id": "ping",
        "name": "Teammate joined",
        "type": "message",
        "channel": CHANNEL,
        "variants": [
            {
                "name": "A",
                "weight": 1,
                "subject": "{{ contact.first_name }}, Bob joined your team",
                "body": "Say hi to Bob in your first shared note: he can already read it, and "
                "everything you write there from now on. Open Acme Notes to welcome him "
                "before the day is over.",
                "url": "https://notes.example.com/team",
            }
        ],
    },
    {"id": "end", "type": "exit"},
]


def _audience() -> None:
    """Three people did the trigger lately; only Maya has a phone that takes push."""
    source, _key = source_create(name="Acme Notes")
    now = timezone.now()
    events = []
    for n, name in enumerate(("Maya", "Piet", "Lena")):
        person = Contact.objects.create(
            user_id=name.lower(), first_name=name, first_seen_at=now, last_seen_at=now
        )
        event = Event.objects.create(
            source=source,
            contact=person,
            name="Signed Up",
            message_id=f"m{n}",
            timestamp=now,
            received_at=now,
        )
        events.append(event)
        if n == 0:
            device_register(
                contact_id=person.pk, kind=PushDevice.Kind.ANDROID, token="maya-phone", now=now
            )
    with transaction.atomic():  # as the worker records them: rows locked
        catalogue_record(events=events, identified_contact_ids={e.contact_id for e in events})


def test_a_push_step_reads_well_previews_on_a_lock_screen_and_is_checked(
    editor_page, live_server, axe, shot, push_settings, django_user_model
):
    page = editor_page
    _audience()
    journey_create(
        name="Team pings",
        by=django_user_model.objects.get(username="casey"),
        document=journey_doc(STEPS, key="team-pings"),
    )

    page.goto(f"{live_server.url}/admin/builder/team-pings/?step=ping")
    page.wait_for_selector("#editor h2:has-text('Teammate joined')")

    assert page.locator("#id_channel option:checked").inner_text() == "Push notification"
    labels = page.locator("#editor label").all_inner_texts()
    assert {"Title", "Text", "Link opened on tap"} <= {label.strip() for label in labels}
    assert axe(page, context="#editor") == []
    shot(page, "push-editor", selector="#editor")

    page.wait_for_selector("#preview .preview-variant")
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    lock = page.locator("#preview [aria-label='Phone lock screen']").inner_text()
    assert "Maya, Bob joined your team" in lock
    shown = page.inner_text("#preview")
    assert "A tap opens https://notes.example.com/team" in shown
    assert "{#" not in shown
    assert "preview_template" not in shown
    assert axe(page, context="#preview") == []
    shot(page, "push-preview", selector="#preview")

    checks = page.locator("#checks")
    checks.locator("li:has-text('have no phone or browser')").wait_for()
    text = checks.inner_text()
    assert "2 of the 3 people who did “Signed Up” lately have no phone or browser" in text
    assert "Variant A: The text is 163 characters: a desktop browser will cut it short" in text
    assert "steps[" not in text
    assert "Nobody has sent" not in text
    assert axe(page, context="#checks") == []
    shot(page, "push-checks", selector="#checks")
    assert page.js_errors == []


# Chromium subscribes through Google's push service, which is not reachable here: the
# fake push service on 127.0.0.1 stands in for it, so the page's PushManager hands out
# that service's subscription (and notes the key it was asked to subscribe with).
FAKE_PUSH_SERVICE = """subscription => {
  PushManager.prototype.getSubscription = () => Promise.resolve(null);
  PushManager.prototype.subscribe = options => {
    const key = new Uint8Array(options.applicationServerKey);
    window.subscribedWith = btoa(String.fromCharCode(...key))
      .replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    return Promise.resolve({ toJSON: () => subscription });
  };
}"""


def test_send_me_a_test_asks_this_browser_then_reaches_it(
    editor_page, live_server, axe, shot, fake_webpush, django_user_model
):
    page = editor_page
    _audience()
    journey_create(
        name="Team pings",
        by=django_user_model.objects.get(username="casey"),
        document=journey_doc(STEPS, key="team-pings"),
    )
    browser = fake_webpush.browser()
    page.goto(f"{live_server.url}/admin/builder/team-pings/?step=ping")
    page.evaluate(FAKE_PUSH_SERVICE, browser.to_json())
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    button = page.locator("#preview .test-send button:has-text('Send me a test')")

    button.click()  # the browser asks; headless Chromium answers "no" unless granted
    page.wait_for_selector("#preview .sent .field-error")
    assert "does not allow notifications from this site" in page.inner_text("#preview .sent")
    assert fake_webpush.requests == []

    page.context.grant_permissions(["notifications"], origin=live_server.url)
    button.click()
    page.wait_for_selector("#preview .sent-ok")

    assert "Test of variant A sent to this browser, for Maya" in page.inner_text("#preview .sent")
    assert page.evaluate("window.subscribedWith") == fake_webpush.vapid_public_key
    assert fake_webpush.refusals == []
    assert [(p["title"], p["url"]) for p in fake_webpush.delivered] == [
        ("[Test] Maya, Bob joined your team", "https://notes.example.com/team")
    ]
    assert axe(page, context="#preview") == []
    shot(page, "push-test-send", selector="#preview .preview-variant")
    assert page.js_errors == []
