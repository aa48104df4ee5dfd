"""Shared fixtures: factories that go through the real services."""

from __future__ import annotations

import base64
import gzip
import json
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import uvicorn

import tests.hypothesis_profile  # noqa: F401 - the suite's Hypothesis profile
from channels.chat import streams, wakeup
from journeys.models import IdentitySecret
from journeys.people.identity import user_hash
from journeys.people.secret_keys import secret_key_create
from journeys.people.sources import source_create
from journeys.run.selectors import version_info

# The push channel's fake services (tests/channels/push_fixtures.py), for any test folder.
pytest_plugins = ["tests.channels.push_fixtures"]


@pytest.fixture(autouse=True)
def _fresh_version_cache():
    """Versions are cached by id (they never change). On SQLite a rolled-back test gives
    its ids back, so a later test's new version may reuse an id another test cached."""
    version_info.cache_clear()
    yield
    version_info.cache_clear()


@pytest.fixture
def make_source(db):
    def make(name: str = "Product", origins: list[str] | None = None):
        return source_create(name=name, allowed_origins=origins or [])

    return make


@pytest.fixture
def write_key(make_source) -> str:
    return make_source()[1]


def hash_for(source, user_id: str) -> str:
    """The user hash a product's server computes with the source's identity secret."""
    secret = IdentitySecret.objects.filter(source=source, retired_at__isnull=True).first()
    return user_hash(secret.secret, user_id)


@pytest.fixture
def secret_key(db) -> str:
    return secret_key_create(name="Tests")[1]


@pytest.fixture
def api(client, write_key, secret_key):
    """POST/GET the event API the way Segment's SDKs do (Basic auth, write key as user)."""

    class Api:
        key = write_key

        def headers(self, key: str | None = None, **extra: str) -> dict[str, str]:
            token = base64.b64encode(f"{key or self.key}:".encode()).decode()
            return {"Authorization": f"Basic {token}", **extra}

        def post(self, path: str, body: Any, *, key: str | None = None, gzipped=False, **headers):
            raw = body if isinstance(body, bytes) else json.dumps(body).encode()
            if gzipped:
                raw = gzip.compress(raw)
                headers["Content-Encoding"] = "gzip"
            return client.post(
                f"/v1/{path}",
                data=raw,
                content_type="application/json",
                headers=self.headers(key, **headers),
            )

        def get(self, path: str, *, key: str | None = None):
            """With a write key when given, else with the secret server key (reads)."""
            if key is not None:
                return client.get(f"/v1/{path}", headers=self.headers(key))
            return client.get(f"/v1/{path}", headers={"Authorization": f"Bearer {secret_key}"})

    return Api()


@pytest.fixture
def asgi_url(transactional_db) -> Iterator[str]:
    """uvicorn serving onboarding.asgi (and static files) on a free port, on the test
    database, for the length of one test: what the stream process runs in production."""
    from django.contrib.staticfiles.handlers import ASGIStaticFilesHandler  # noqa: PLC0415

    from onboarding.asgi import application  # noqa: PLC0415 - Django is set up by now

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        ASGIStaticFilesHandler(application), lifespan="off", log_level="warning", timeout_notify=1
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    wakeup.stop_listener()
    streams.close_pool()
