"""Issue 12 / issue 9: no visitor reads or marks another user's inbox (live server)."""

from __future__ import annotations

import pytest
import requests

from channels.delivery.queue import MessageContent
from channels.models import Message
from journeys.models import IdentitySecret
from journeys.people.identity import user_hash
from journeys.people.sources import (
    identity_secret_retire_old,
    identity_secret_rotate,
    source_create,
)

pytestmark = pytest.mark.django_db(transaction=True)
NOTE = MessageContent(subject="Welcome", body="Hello {{ contact.first_name }}")
ORIGIN = "https://app.example.com"


@pytest.fixture
def web_app(transactional_db):
    source, key = source_create(name="Web app", allowed_origins=[ORIGIN])
    return source, key, IdentitySecret.objects.get(source=source).secret


@pytest.fixture
def ada_inbox(web_app, make_contact, queue):
    source, _, _ = web_app
    ada = make_contact(user_id="ada", source_id=source.pk)
    make_contact(user_id="eve", source_id=source.pk)
    return queue(ada, "in_app", NOTE).message_id


def _get(live_server, key, user_id="ada", **kwargs):
    return requests.get(
        f"{live_server.url}/v1/contacts/{user_id}/messages", auth=(key, ""), timeout=5, **kwargs
    )


def test_the_write_key_alone_no_longer_reads_an_inbox(live_server, web_app, ada_inbox):
    _, key, _ = web_app

    response = _get(live_server, key)

    assert response.status_code == 401
    assert response.json()["code"] == "user_hash_missing"
    assert "messages" not in response.json()


def test_another_users_hash_is_refused(live_server, web_app, ada_inbox):
    _, key, secret = web_app

    response = _get(live_server, key, headers={"X-Stepwise-User-Hash": user_hash(secret, "eve")})

    assert response.status_code == 403
    assert response.json()["code"] == "user_hash_invalid"


def test_a_forged_hash_is_refused(live_server, web_app, ada_inbox):
    _, key, _ = web_app

    response = _get(live_server, key, params={"user_hash": user_hash("guessed-secret", "ada")})

    assert response.status_code == 403
    assert response.json()["code"] == "user_hash_invalid"


def test_the_users_own_hash_reads_the_inbox(live_server, web_app, ada_inbox):
    _, key, secret = web_app

    by_query = _get(live_server, key, params={"user_hash": user_hash(secret, "ada")})
    by_header = _get(live_server, key, headers={"X-Stepwise-User-Hash": user_hash(secret, "ada")})

    assert by_query.status_code == by_header.status_code == 200
    assert [m["text"] for m in by_query.json()["messages"]] == ["Hello Ada"]
    assert by_header.json() == by_query.json()


def test_marking_read_needs_the_users_hash(live_server, web_app, ada_inbox):
    _, key, secret = web_app
    url = f"{live_server.url}/v1/contacts/ada/messages/{ada_inbox}/read"

    unsigned = requests.post(url, auth=(key, ""), timeout=5)
    eves = requests.post(
        url, auth=(key, ""), headers={"X-Stepwise-User-Hash": user_hash(secret, "eve")}, timeout=5
    )
    read_at_after_refusals = Message.objects.get(pk=ada_inbox).read_at
    own = requests.post(
        url, auth=(key, ""), params={"user_hash": user_hash(secret, "ada")}, timeout=5
    )

    assert (unsigned.status_code, eves.status_code, own.status_code) == (401, 403, 200)
    assert read_at_after_refusals is None
    assert Message.objects.get(pk=ada_inbox).read_at is not None


def test_a_rotated_secret_overlaps_until_the_old_one_is_retired(
    live_server, web_app, ada_inbox, settings
):
    source, key, old = web_app
    settings.EVENT_API_KEY_CACHE_SECONDS = 0

    new = identity_secret_rotate(source=source)
    both = [
        _get(live_server, key, params={"user_hash": user_hash(s, "ada")}).status_code
        for s in (old, new)
    ]
    identity_secret_retire_old(source=source)
    after = [
        _get(live_server, key, params={"user_hash": user_hash(s, "ada")}).status_code
        for s in (old, new)
    ]

    assert both == [200, 200]
    assert after == [403, 200]


def test_a_hash_for_an_unknown_user_is_checked_before_saying_not_found(live_server, web_app):
    _, key, secret = web_app

    unsigned = _get(live_server, key, user_id="nobody")
    signed = _get(
        live_server, key, user_id="nobody", params={"user_hash": user_hash(secret, "nobody")}
    )

    assert (unsigned.status_code, signed.status_code) == (401, 404)


def test_cors_answers_only_the_sources_allowed_origins(live_server, web_app, ada_inbox):
    _, key, secret = web_app
    url = f"{live_server.url}/v1/contacts/ada/messages"
    preflight = {"Access-Control-Request-Method": "GET"}

    allowed = requests.options(url, headers={"Origin": ORIGIN, **preflight}, timeout=5)
    hostile = requests.options(
        url, headers={"Origin": "https://evil.example", **preflight}, timeout=5
    )
    read = _get(
        live_server,
        key,
        headers={"Origin": ORIGIN, "X-Stepwise-User-Hash": user_hash(secret, "ada")},
    )
    from_evil = _get(
        live_server,
        key,
        headers={
            "Origin": "https://evil.example",
            "X-Stepwise-User-Hash": user_hash(secret, "ada"),
        },
    )

    assert allowed.status_code == 204
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert "X-Stepwise-User-Hash" in allowed.headers["Access-Control-Allow-Headers"]
    assert "Access-Control-Allow-Origin" not in hostile.headers
    assert (read.status_code, read.headers["Access-Control-Allow-Origin"]) == (200, ORIGIN)
    assert from_evil.status_code == 403
    assert "Access-Control-Allow-Origin" not in from_evil.headers
