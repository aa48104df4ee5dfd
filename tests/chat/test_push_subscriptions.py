"""The widget registers the browser for push (POST /v1/contacts/{user_id}/push-subscriptions
with PushSubscription.toJSON()) with its own credentials; what a browser hands us is
untrusted, so a foreign endpoint or broken keys are refused in plain words, and nothing is
stored. From the subscription to a payload the browser decrypts."""

from __future__ import annotations

import base64
import json

import pytest

from channels.delivery.queue import MessageContent, message_queue
from channels.models import Message
from channels.push_devices import PushDevice
from tests.chat.conftest import ORIGIN
from tests.fakes.push import b64url

pytestmark = pytest.mark.django_db(transaction=True)
PATH = "push-subscriptions"


def call(client, product, body: dict, *, method="post", user_hash: str | None = "own"):
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Origin": ORIGIN}
    if user_hash is not None:
        headers["X-Stepwise-User-Hash"] = product.hash() if user_hash == "own" else user_hash
    return getattr(client, method)(
        f"/v1/contacts/{product.user_id}/{PATH}",
        json.dumps(body),
        content_type="application/json",
        headers=headers,
    )


def test_a_subscribed_browser_receives_a_notification_it_can_decrypt(client, product, fake_webpush):
    browser = fake_webpush.browser()

    answer = call(client, product, browser.to_json())

    assert answer.status_code == 200, answer.content
    [device] = PushDevice.objects.filter(contact_id=product.contact_id)
    assert (device.kind, device.token) == ("web", browser.endpoint)
    message_queue(
        contact_id=product.contact_id,
        channel="push",
        content=MessageContent(subject="Bob joined", body="Say hi!", url="/notes/42"),
        context={},
    )
    assert fake_webpush.refusals == []
    assert [(p["title"], p["body"], p["url"]) for p in fake_webpush.delivered] == [
        ("Bob joined", "Say hi!", "/notes/42")
    ]
    assert Message.objects.get(contact_id=product.contact_id).status == "sent"


def test_subscribing_twice_keeps_one_device(client, product, fake_webpush):
    body = fake_webpush.browser().to_json()

    call(client, product, body)
    call(client, product, body)

    assert PushDevice.objects.count() == 1


def _broken(fake_webpush, **changes) -> dict:
    body = fake_webpush.browser().to_json()
    keys = body["keys"] | {k: v for k, v in changes.items() if k != "endpoint"}
    return (
        body | {"keys": keys} | ({"endpoint": changes["endpoint"]} if "endpoint" in changes else {})
    )


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"endpoint": "https://evil.example.com/push/1"}, "endpoint", "known browser push service"),
        ({"endpoint": "file:///etc/passwd"}, "endpoint", "known browser push service"),
        ({"p256dh": b64url(b"\x04" + b"\x01" * 64)}, "p256dh", "not a P-256 public key"),
        ({"p256dh": "not base64 !!"}, "p256dh", "not base64url"),
        ({"auth": b64url(b"short")}, "auth", "must be 16 bytes"),
    ],
)
def test_a_subscription_we_cannot_trust_is_refused_naming_the_field(
    client, product, fake_webpush, change, field, words
):
    answer = call(client, product, _broken(fake_webpush, **change))

    assert answer.status_code == 400
    assert answer.json()["field"] == field
    assert words in answer.json()["error"]
    assert not PushDevice.objects.exists()


def test_the_default_push_services_do_not_include_this_machine(
    client, product, fake_webpush, settings
):
    settings.PUSH_SERVICE_HOSTS = []  # the defaults: Chrome, Firefox, Safari, Edge

    answer = call(client, product, fake_webpush.browser().to_json())

    assert (answer.status_code, answer.json()["field"]) == (400, "endpoint")


@pytest.mark.parametrize(("user_hash", "status"), [(None, 401), ("0" * 64, 403)])
def test_without_the_users_hash_nothing_is_stored(client, product, fake_webpush, user_hash, status):
    answer = call(client, product, fake_webpush.browser().to_json(), user_hash=user_hash)

    assert answer.status_code == status
    assert not PushDevice.objects.exists()


def test_delete_with_the_endpoint_stops_push_to_that_browser(client, product, fake_webpush):
    kept, dropped = fake_webpush.browser(), fake_webpush.browser()
    call(client, product, kept.to_json())
    call(client, product, dropped.to_json())

    answer = call(client, product, {"endpoint": dropped.endpoint}, method="delete")

    assert answer.status_code == 200
    assert list(PushDevice.objects.values_list("token", flat=True)) == [kept.endpoint]
