"""Apps register devices the way their Segment or RudderStack SDK already does: any
identify or track with context.device.token (and device.type or os.name) adds or refreshes
the device; "Application Uninstalled" removes it. End to end: the Segment SDK's identify
with a token and a track that triggers a journey reach a verified request at the fake FCM.
"""

from __future__ import annotations

import pytest
from segment.analytics import Client as SegmentClient

from channels.models import Message
from channels.push_devices import PushDevice
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events
from tests.journeys.core.helpers import journey_doc

ANDROID = {"device": {"token": "android-token-1", "type": "android"}, "os": {"name": "Android"}}


def _process(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        process_pending_events(linger=0)


def _tokens() -> list[tuple[str, str, str]]:
    return list(PushDevice.objects.order_by("id").values_list("contact__user_id", "kind", "token"))


@pytest.mark.django_db
def test_an_identify_with_a_device_token_adds_the_device(api, django_capture_on_commit_callbacks):
    api.post("identify", {"userId": "ada", "traits": {"name": "Ada"}, "context": ANDROID})
    api.post(
        "track",
        {
            "userId": "ada",
            "event": "Opened App",
            "context": {"device": {"token": "ios-token-1"}, "os": {"name": "iOS"}},
        },
    )
    api.post("track", {"userId": "ada", "event": "Opened App", "context": ANDROID})  # again

    _process(django_capture_on_commit_callbacks)

    assert _tokens() == [("ada", "android", "android-token-1"), ("ada", "ios", "ios-token-1")]


@pytest.mark.django_db
def test_a_token_without_a_mobile_platform_or_an_uninstall_is_not_kept(
    api, django_capture_on_commit_callbacks
):
    api.post("identify", {"userId": "ada", "context": ANDROID})
    api.post("track", {"userId": "ada", "event": "Seen", "context": {"device": {"token": "x"}}})
    _process(django_capture_on_commit_callbacks)

    api.post("track", {"userId": "ada", "event": "Application Uninstalled", "context": ANDROID})
    _process(django_capture_on_commit_callbacks)

    assert _tokens() == []


@pytest.mark.django_db
def test_a_token_signed_into_by_someone_else_moves_to_them(api, django_capture_on_commit_callbacks):
    api.post("identify", {"userId": "ada", "context": ANDROID})
    _process(django_capture_on_commit_callbacks)
    api.post("identify", {"userId": "bob", "context": ANDROID})
    _process(django_capture_on_commit_callbacks)

    assert _tokens() == [("bob", "android", "android-token-1")]


PUSH_STEPS = [
    {
        "id": "ping",
        "type": "message",
        "channel": "push",
        "variants": [
            {
                "subject": "{{ contact.first_name }}, your first note is saved",
                "body": "Invite a teammate to {{ event.properties.title }}.",
                "url": "https://notes.example.com/invite",
            }
        ],
    },
    {"id": "end", "type": "exit"},
]


@pytest.mark.django_db(transaction=True)
def test_segment_sdk_token_and_trigger_reach_a_verified_request_at_fcm(
    live_server, fake_fcm, django_capture_on_commit_callbacks
):
    _source, key = source_create(name="Acme Notes app")
    journey_import(data=journey_doc(PUSH_STEPS, trigger={"event": "Note Created"}), publish=True)
    errors: list = []
    sdk = SegmentClient(
        key,
        host=live_server.url,
        sync_mode=True,
        max_retries=0,
        on_error=lambda e, b: errors.append(e),
    )

    sdk.identify("ada", {"firstName": "Ada"}, context=ANDROID)
    sdk.track("ada", "Note Created", {"title": "Roadmap"})
    sdk.flush()
    _process(django_capture_on_commit_callbacks)

    assert errors == []
    assert fake_fcm.refusals == []
    [sent] = fake_fcm.delivered
    assert sent["token"] == "android-token-1"
    assert sent["notification"] == {
        "title": "Ada, your first note is saved",
        "body": "Invite a teammate to Roadmap.",
    }
    assert sent["data"]["url"] == "https://notes.example.com/invite"
    assert Message.objects.get().status == "sent"
