"""Fixtures for channels: contacts, fake providers on 127.0.0.1 wired through settings."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.conf import settings as django_settings
from twilio.request_validator import RequestValidator

from channels.delivery.queue import MessageContent, QueuedMessage, message_queue
from channels.registry import get_channel
from journeys.models import Contact
from journeys.run.selectors import version_info
from tests.channels.pigeon import PigeonChannel
from tests.channels.support import (
    CONTEXT,
    NOW,
    POSTMARK_TOKEN,
    PUBLIC_URL,
    TWILIO_SID,
    TWILIO_TOKEN,
    WEBHOOK_SECRET,
)
from tests.fakes.http import FakePostmark, FakeServer, FakeTwilio


@pytest.fixture(autouse=True)
def channel_settings(settings):
    """Predictable delivery rules; tests that need quiet hours or a cap turn them on."""
    settings.PUBLIC_URL = PUBLIC_URL
    settings.CHANNELS_ENABLED = ["email", "sms", "in_app", "webhook"]
    settings.CHANNELS_QUIET_HOURS = {}
    settings.CHANNELS_FREQUENCY_CAP = 0
    settings.CHANNELS_MAX_ATTEMPTS = 3
    settings.CHANNELS_RETRY_BASE_SECONDS = 60
    settings.CHANNELS_WEBHOOK_SECRET = "hook-secret"
    settings.CHANNELS_HTTP_TIMEOUT_SECONDS = 2
    # The fake providers and receivers listen on 127.0.0.1: exempt from the SSRF guard here
    # (tests/channels/test_ssrf.py turns it back on).
    settings.CHANNELS_OUTBOUND_ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
    settings.DEFAULT_FROM_EMAIL = "Stepwise <hello@stepwise.example.com>"
    settings.EMAIL_REPLY_TO = "support@stepwise.example.com"
    settings.TWILIO_ACCOUNT_SID = ""
    settings.TWILIO_AUTH_TOKEN = ""
    settings.TWILIO_FROM = ""
    settings.TWILIO_MESSAGING_SERVICE_SID = ""
    settings.TWILIO_API_BASE_URL = ""
    return settings


@pytest.fixture
def make_contact(db) -> Callable[..., Contact]:
    def make(**overrides: Any) -> Contact:
        fields = {
            "user_id": f"user-{Contact.objects.count() + 1}",
            "email": "ada@example.com",
            "phone": "+15558675310",
            "first_name": "Ada",
            "last_name": "Lovelace",
            "timezone": "Europe/Paris",
            "traits": {"plan": "pro"},
            "first_seen_at": NOW,
            "last_seen_at": NOW,
        }
        return Contact.objects.create(**(fields | overrides))

    return make


@pytest.fixture
def contact(make_contact) -> Contact:
    return make_contact()


@pytest.fixture
def queue(django_capture_on_commit_callbacks) -> Callable[..., QueuedMessage]:
    """message_queue as the engine calls it, with on-commit delivery run inline.

    With an explicit `now` (a fixed date, in the past of the real clock) the on-commit
    delivery is dropped, since it would run at the real time: such tests drive delivery
    with send_due_messages(now=...).
    """

    def run(contact: Contact, channel: str, content: MessageContent, **kwargs: Any):
        kwargs.setdefault("context", CONTEXT)
        with django_capture_on_commit_callbacks(execute="now" not in kwargs):
            return message_queue(contact_id=contact.pk, channel=channel, content=content, **kwargs)

    return run


@pytest.fixture
def fake_postmark(settings) -> Iterator[FakePostmark]:
    server = FakePostmark().start()
    settings.MAILERS = {
        "default": {"BACKEND": "anymail.backends.postmark.EmailBackend", "OPTIONS": {}}
    }
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": POSTMARK_TOKEN,
        "POSTMARK_API_URL": server.url + "/",
        "WEBHOOK_SECRET": WEBHOOK_SECRET,
        "REQUESTS_TIMEOUT": 2,
    }
    yield server
    server.stop()


@pytest.fixture
def fake_twilio(settings) -> Iterator[FakeTwilio]:
    server = FakeTwilio().start()
    settings.TWILIO_ACCOUNT_SID = TWILIO_SID
    settings.TWILIO_AUTH_TOKEN = TWILIO_TOKEN
    settings.TWILIO_FROM = "+15017122661"
    settings.TWILIO_API_BASE_URL = server.url
    yield server
    server.stop()


@pytest.fixture
def receiver() -> Iterator[FakeServer]:
    server = FakeServer().start()
    yield server
    server.stop()


@pytest.fixture
def post_postmark(client) -> Callable[..., Any]:
    """POST a Postmark webhook payload the way Postmark does (Basic auth from the URL)."""
    auth = "Basic " + base64.b64encode(WEBHOOK_SECRET.encode()).decode()

    def post(payload: dict[str, Any], *, authorization: str = auth):
        return client.post(
            "/webhooks/anymail/postmark/tracking/",
            data=json.dumps(payload),
            content_type="application/json",
            HTTP_AUTHORIZATION=authorization,
        )

    return post


@pytest.fixture
def post_twilio(client) -> Callable[..., Any]:
    """POST form fields signed like Twilio signs them (the public URL it called)."""

    def post(path: str, fields: dict[str, str], *, signature: str | None = None):
        url = PUBLIC_URL + path
        signed = RequestValidator(TWILIO_TOKEN).compute_signature(url, fields)
        return client.post(path, data=fields, HTTP_X_TWILIO_SIGNATURE=signature or signed)

    return post


@pytest.fixture
def pigeon(channel_settings) -> Iterator[PigeonChannel]:
    """The pigeon registered through the setting (as a deployment would) and enabled."""
    channel_settings.STEPWISE_CHANNELS = django_settings.STEPWISE_CHANNELS_WITH_PIGEON
    channel_settings.CHANNELS_ENABLED = ["email", "sms", "in_app", "webhook", "pigeon"]
    version_info.cache_clear()
    channel = get_channel("pigeon")
    assert isinstance(channel, PigeonChannel)
    yield channel
    version_info.cache_clear()
