"""A real ASGI server (uvicorn, in a thread) on the test database, and an SSE client."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import pytest
import requests
from django.utils import timezone

from journeys.models import Contact
from journeys.people.identity import user_hash
from journeys.people.sources import source_create

ORIGIN = "https://app.example.com"


@dataclass
class Product:
    """A browser source with an identity secret, and a signed-up user of it."""

    key: str
    secret: str
    source_id: int
    user_id: str = "ada"
    contact_id: int = 0

    def hash(self, user_id: str | None = None) -> str:
        return user_hash(self.secret, user_id or self.user_id)


@pytest.fixture
def product(transactional_db) -> Product:
    from journeys.people.sources import identity_secret_active  # noqa: PLC0415

    source, key = source_create(name="Acme", allowed_origins=[ORIGIN])
    secret = identity_secret_active(source=source).secret
    made = Product(key=key, secret=secret, source_id=source.pk)
    for user_id in ("ada", "bob"):
        identify(source.pk, user_id)
    made.contact_id = Contact.objects.get(user_id="ada").pk
    return made


def identify(source_id: int, user_id: str) -> int:
    """A contact of the source (made directly: the event pipeline is not under test here)."""
    now = timezone.now()
    contact = Contact.objects.create(
        user_id=user_id, source_id=source_id, first_seen_at=now, last_seen_at=now
    )
    return contact.pk


@dataclass
class SSE:
    """Reads one server-sent event stream: `next()` gives (id, event, data) tuples."""

    response: requests.Response
    events: list[tuple[str | None, str, dict]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._lines = self.response.iter_lines(chunk_size=1, decode_unicode=True)

    def next(self, timeout: float = 5.0) -> tuple[str | None, str, dict]:
        """The next event with data (comments and retry lines are skipped). The read
        timeout is the one the request was opened with."""
        event_id, name, data = None, "message", ""
        for raw in self._lines:
            if raw == "":
                if data:
                    got = (event_id, name, json.loads(data))
                    self.events.append(got)
                    return got
                event_id, name, data = None, "message", ""
                continue
            key, _, value = raw.partition(":")
            value = value.removeprefix(" ")
            if key == "id":
                event_id = value
            elif key == "event":
                name = value
            elif key == "data":
                data += value
        raise EOFError("the stream ended")

    def lines(self, count: int, timeout: float = 5.0) -> list[dict]:
        """The next `count` chat lines (state events are kept in self.events)."""
        found: list[dict] = []
        deadline = time.monotonic() + timeout
        while len(found) < count:
            _, name, data = self.next(max(deadline - time.monotonic(), 0.01))
            if name == "line":
                found.append(data)
        return found

    def close(self) -> None:
        self.response.close()


def open_stream(url: str, product: Product, **params: str) -> SSE:
    headers = {"Accept": "text/event-stream", "Origin": ORIGIN}
    headers.update(params.pop("headers", {}))  # type: ignore[arg-type]
    query = {"key": product.key, "user_hash": product.hash(), **params}
    response = requests.get(
        f"{url}/v1/contacts/{product.user_id}/stream",
        params=query,
        headers=headers,
        stream=True,
        timeout=5,
    )
    assert response.status_code == 200, response.text
    return SSE(response)
