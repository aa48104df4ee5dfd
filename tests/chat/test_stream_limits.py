"""No one user can stop the streams: at most CHAT_STREAMS_PER_CONTACT open per contact,
a per-process ceiling, a stream URL without the key or the user hash (a single-use token
instead), and user hashes that can expire."""

from __future__ import annotations

import base64
import time

import pytest
import requests

from journeys.people.identity import user_hash
from tests.chat.conftest import ORIGIN, open_stream, stream_token

pytestmark = pytest.mark.timeout(60)


def _basic(key: str) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


def _get(url: str, user_id: str, **params: str) -> requests.Response:
    return requests.get(
        f"{url}/v1/contacts/{user_id}/stream",
        params=params,
        headers={"Accept": "text/event-stream", "Origin": ORIGIN},
        stream=True,
        timeout=5,
    )


def test_the_stream_url_may_not_carry_the_key_or_the_hash(asgi_url, product):
    answer = _get(asgi_url, "ada", key=product.key, user_hash=product.hash())

    assert (answer.status_code, answer.json()["code"]) == (400, "credentials_in_url")


def test_a_stream_token_opens_one_stream_for_its_user_only(asgi_url, product):
    token = stream_token(asgi_url, product)

    first = _get(asgi_url, "ada", token=token)
    again = _get(asgi_url, "ada", token=token)
    other = _get(asgi_url, "bob", token=stream_token(asgi_url, product))

    assert first.status_code == 200
    first.close()
    assert (again.status_code, again.json()["code"]) == (401, "stream_token_used")
    assert (other.status_code, other.json()["code"]) == (401, "stream_token_invalid")


def test_a_stream_token_expires(asgi_url, product, settings):
    token = stream_token(asgi_url, product)
    settings.CHAT_STREAM_TOKEN_SECONDS = -1  # every token is older than that

    answer = _get(asgi_url, "ada", token=token)

    assert (answer.status_code, answer.json()["code"]) == (401, "stream_token_invalid")


def _wait_for_status(url: str, product, user_id: str, status: int) -> requests.Response:
    """The server notices a closed stream at its next write: try until it has."""
    deadline = time.monotonic() + 20
    while True:
        answer = _get(url, user_id, token=stream_token(url, product, user_id))
        if answer.status_code == status or time.monotonic() > deadline:
            return answer
        answer.close()
        time.sleep(0.2)


def test_a_contact_holds_at_most_five_streams(asgi_url, product, settings):
    settings.CHAT_HEARTBEAT_SECONDS = 1  # a closed stream is noticed within a second
    streams = [open_stream(asgi_url, product) for _ in range(5)]

    refused = _get(asgi_url, "ada", token=stream_token(asgi_url, product))
    bob = _get(asgi_url, "bob", token=stream_token(asgi_url, product, "bob"))
    streams.pop().close()
    after_one_closed = _wait_for_status(asgi_url, product, "ada", 200)

    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_streams"
    assert refused.headers["Retry-After"] == "10"
    assert bob.status_code == 200
    assert after_one_closed.status_code == 200
    for stream in streams:
        stream.close()
    bob.close()
    after_one_closed.close()


def test_past_the_process_ceiling_every_stream_is_503(asgi_url, product, settings):
    settings.CHAT_STREAMS_PER_PROCESS = 2
    held = [open_stream(asgi_url, product) for _ in range(2)]

    full = _get(asgi_url, "bob", token=stream_token(asgi_url, product, "bob"))

    assert (full.status_code, full.json()["code"]) == (503, "streams_full")
    assert full.headers["Retry-After"] == "10"
    for stream in held:
        stream.close()


@pytest.mark.parametrize(
    ("expires_in", "status"), [(3600, 200), (-1, 403)], ids=["fresh", "expired"]
)
def test_a_user_hash_may_carry_an_expiry(client, product, expires_in, status):
    expiring = user_hash(product.secret, "ada", expires=int(time.time()) + expires_in)

    answer = client.post(
        "/v1/contacts/ada/chat/stream-token",
        headers={"X-Stepwise-User-Hash": expiring, "Origin": ORIGIN},
        HTTP_AUTHORIZATION=_basic(product.key),
    )

    assert answer.status_code == status
    assert answer.json().get("code") == (None if status == 200 else "user_hash_expired")


def test_an_expiring_hash_cannot_be_stretched(client, product):
    expiring = user_hash(product.secret, "ada", expires=int(time.time()) + 60)
    mac = expiring.split(".")[0]

    answer = client.post(
        "/v1/contacts/ada/chat/stream-token",
        headers={"X-Stepwise-User-Hash": f"{mac}.{int(time.time()) + 999_999}", "Origin": ORIGIN},
        HTTP_AUTHORIZATION=_basic(product.key),
    )

    assert (answer.status_code, answer.json()["code"]) == (403, "user_hash_invalid")
