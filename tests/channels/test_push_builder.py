"""Push in the builder, from its declaration only: the channel and its fields in staff's
words, the lock-screen and desktop preview, and the checks that warn before publishing
(text a phone will cut, a payload over 4 KB, people of the audience with no device)."""

from __future__ import annotations

import html
import json

import pytest
from django.utils import timezone

from channels.models import Message
from channels.push_devices import PushDevice, device_register
from journeys.builder.drafts import journey_create
from journeys.models import Event, Journey
from journeys.people.sources import source_create
from tests.journeys.core.helpers import journey_doc

pytestmark = pytest.mark.django_db

STEPS = [
    {
        "id": "ping",
        "type": "message",
        "channel": "push",
        "variants": [
            {
                "name": "A",
                "weight": 1,
                "subject": "{{ contact.first_name }}, Bob joined",
                "body": "Say hi to your teammate.",
                "url": "https://notes.example.com/team",
            }
        ],
    },
    {"id": "end", "type": "exit"},
]


@pytest.fixture
def draft(client, django_user_model, push_settings) -> Journey:
    staff = django_user_model.objects.create_user("ada", "ada@example.com", "pw", is_staff=True)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    return journey_create(name="Pings", by=staff, document=journey_doc(STEPS, key="pings"))


def _get(client, path: str) -> str:
    response = client.get(path, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content.decode()[:2000]
    return html.unescape(response.content.decode())


def _save(client, journey: Journey, **variant: str) -> None:
    journey.refresh_from_db()
    data = {
        "name": "ping",
        "channel": "push",
        "variant-TOTAL_FORMS": "1",
        "variant-INITIAL_FORMS": "1",
        "variant-0-name": "A",
        "variant-0-weight": "1",
        "variant-0-subject": variant.get("subject", "Hi"),
        "variant-0-body": variant.get("body", "Hello"),
        "variant-0-url": variant.get("url", ""),
        "variant-0-image": variant.get("image", ""),
        "revision": str(journey.draft_revision),
    }
    response = client.post(
        f"/admin/builder/{journey.key}/steps/ping/", data, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200, response.content.decode()[:2000]


def test_the_builder_offers_push_with_its_fields_in_plain_words(client, draft):
    form = _get(client, f"/admin/builder/{draft.key}/steps/ping/")

    assert '<option value="push" selected>Push notification</option>' in form
    assert "Title" in form
    assert "Link opened on tap" in form


def test_the_preview_shows_a_lock_screen_and_a_desktop_notification(client, draft, make_contact):
    make_contact(user_id="ada", first_name="Ada")

    preview = _get(client, f"/admin/builder/{draft.key}/steps/ping/preview/?contact=ada")

    assert 'aria-label="Phone lock screen"' in preview
    assert 'aria-label="Desktop notification"' in preview
    assert "Ada, Bob joined" in preview
    assert "A tap opens https://notes.example.com/team" in preview
    assert "preview_template" not in preview  # the template's own comment stays hidden


def test_an_image_shows_in_the_preview_and_the_checks_refuse_one_a_phone_cannot_load(
    client, draft, make_contact
):
    make_contact(user_id="ada", first_name="Ada")
    form = _get(client, f"/admin/builder/{draft.key}/steps/ping/")
    assert "Image (optional: the address of a picture, https://…)" in form

    _save(client, draft, image="https://cdn.example.com/{{ contact.first_name }}.png")
    preview = _get(client, f"/admin/builder/{draft.key}/steps/ping/preview/?contact=ada")
    assert preview.count('src="https://cdn.example.com/Ada.png"') == 2  # phone and desktop
    assert "an iPhone and Firefox show the text only" in preview

    refused = "The image must be the address of a picture on the web, starting with https://"
    assert refused not in _get(client, f"/admin/builder/{draft.key}/checks/")
    _save(client, draft, image="http://cdn.example.com/team.png")  # a draft keeps it
    assert refused in _get(client, f"/admin/builder/{draft.key}/checks/")


def test_the_checks_warn_when_a_phone_will_cut_the_text(client, draft):
    _save(client, draft, subject="A title that goes on and on well past what fits", body="x" * 200)

    checks = _get(client, f"/admin/builder/{draft.key}/checks/")

    assert "The text is 200 characters: an iPhone lock screen and a desktop browser" in checks
    assert "The title is" not in checks  # 48 characters fit everywhere


def test_the_checks_warn_when_the_notification_passes_4_kb(client, draft):
    # 100 + 500 emoji of 4 bytes each and a long link: allowed field by field, too big in all.
    _save(
        client,
        draft,
        subject="🎉" * 100,
        body="🎉" * 500,
        url="https://notes.example.com/" + "a" * 1900,
    )

    checks = _get(client, f"/admin/builder/{draft.key}/checks/")

    assert "push services refuse more than 4 KB" in checks


def test_the_checks_count_people_of_the_audience_with_no_device(client, draft, make_contact):
    source, _key = source_create(name="App")
    now = timezone.now()
    for n in range(3):
        person = make_contact(user_id=f"p{n}")
        Event.objects.create(
            source=source,
            contact=person,
            name="Signed Up",
            message_id=f"m{n}",
            timestamp=now,
            received_at=now,
        )
        if n == 0:
            device_register(contact_id=person.pk, kind=PushDevice.Kind.ANDROID, token="t0", now=now)

    checks = _get(client, f"/admin/builder/{draft.key}/checks/")

    assert "2 of the 3 people who did “Signed Up” lately have no phone or browser" in checks


def _test_send(client, journey: Journey, to: str) -> str:
    response = client.post(
        f"/admin/builder/{journey.key}/steps/ping/test-send/",
        {"variant": "A", "to": to, "contact": "ada"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def test_send_me_a_test_offers_this_browser_with_the_servers_key(client, draft, push_settings):
    preview = _get(client, f"/admin/builder/{draft.key}/steps/ping/preview/")

    assert "Send me a test" in preview
    assert f'data-browser-key="{push_settings.VAPID_PUBLIC_KEY}"' in preview
    assert "choose “Allow”" in preview
    assert "Send a test to this device" not in preview  # no address box to type into


def test_send_me_a_test_reaches_the_staff_members_browser(
    client, draft, make_contact, fake_webpush, django_capture_on_commit_callbacks
):
    make_contact(user_id="ada", first_name="Ada")
    browser = fake_webpush.browser()

    with django_capture_on_commit_callbacks(execute=True):
        said = _test_send(client, draft, json.dumps(browser.to_json()))

    assert "Test of variant A sent to this browser" in said
    assert fake_webpush.refusals == []
    [payload] = fake_webpush.delivered
    assert (payload["title"], payload["body"], payload["url"]) == (
        "[Test] Ada, Bob joined",
        "Say hi to your teammate.",
        "https://notes.example.com/team",
    )
    assert not PushDevice.objects.exists()  # the staff member's browser is not a contact's
    assert Message.objects.get().status == "sent"


@pytest.mark.parametrize("to", ["", "not json", '{"endpoint": "https://evil.example.com/x"}'])
def test_send_me_a_test_without_a_browser_subscription_says_what_to_do(
    client, draft, make_contact, fake_webpush, to
):
    make_contact(user_id="ada", first_name="Ada")

    said = _test_send(client, draft, to)

    assert "Not sent: this browser did not give an address for notifications" in said
    assert "Allow notifications" in said
    assert fake_webpush.requests == []
