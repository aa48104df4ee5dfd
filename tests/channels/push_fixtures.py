"""Fixtures for push tests: the fake push services wired through settings, push enabled.
Import them into a test module (`from tests.channels.push_fixtures import *`)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.fakes.push import FakeFcm, FakeWebPush, service_account, vapid_key_pair

SUBJECT = "mailto:push@stepwise.example.com"


@pytest.fixture
def push_settings(settings):
    settings.CHANNELS_ENABLED = [*settings.CHANNELS_ENABLED, "push"]
    settings.PUSH_SERVICE_HOSTS = ["127.0.0.1"]
    settings.VAPID_PUBLIC_KEY, settings.VAPID_PRIVATE_KEY = vapid_key_pair()
    settings.VAPID_SUBJECT = SUBJECT
    settings.FCM_CREDENTIALS = ""
    settings.CHANNELS_HTTP_TIMEOUT_SECONDS = 5
    return settings


@pytest.fixture
def fake_webpush(push_settings) -> Iterator[FakeWebPush]:
    server = FakeWebPush().start()
    server.vapid_public_key = push_settings.VAPID_PUBLIC_KEY
    server.subject = SUBJECT
    yield server
    server.stop()


@pytest.fixture
def fake_fcm(push_settings, tmp_path) -> Iterator[FakeFcm]:
    server = FakeFcm().start()
    server.account = service_account(token_uri=f"{server.url}/token")
    path = tmp_path / "firebase-service-account.json"
    path.write_text(json.dumps(server.account))
    push_settings.FCM_CREDENTIALS = str(path)
    push_settings.FCM_API_URL = server.url
    yield server
    server.stop()


def browser_device(contact, server: FakeWebPush):  # noqa: ANN001, ANN201 - a Contact; its Browser
    """A browser subscribed at the fake push service, registered as the contact's device."""
    return browser_register(contact.pk, server.browser())


def browser_register(contact_id: int, browser):  # noqa: ANN001, ANN201 - a fake Browser
    """Register a browser of the fake push service as the contact's device."""
    from django.utils import timezone  # noqa: PLC0415

    from channels.push_devices import PushDevice, device_register  # noqa: PLC0415

    keys = browser.to_json()["keys"]
    device_register(
        contact_id=contact_id,
        kind=PushDevice.Kind.WEB,
        token=browser.endpoint,
        p256dh=keys["p256dh"],
        auth=keys["auth"],
        now=timezone.now(),
    )
    return browser
