"""Shared fixtures: factories that go through the real services."""

from __future__ import annotations

import base64
import gzip
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

from journeys.api.identity import user_hash
from journeys.models import IdentitySecret
from journeys.services.secret_keys import secret_key_create
from journeys.services.sources import source_create

# One Hypothesis profile for the whole suite: no per-example deadline and no slow-generation
# health check (a loaded CI machine trips both by chance), and no example database, so a
# run on a clean checkout behaves like every other. Tests may still set max_examples.
settings.register_profile(
    "stepwise",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("stepwise")


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
