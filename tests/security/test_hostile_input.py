"""Issue 12: no 5xx for the hostile inputs found by hand (live server); one bad batch item
is rejected alone; unknown /v1/ paths answer JSON; gzip with trailing junk is refused."""

from __future__ import annotations

import gzip
import json

import pytest
import requests

from journeys.models import Event
from journeys.people.secret_keys import secret_key_create
from journeys.people.sources import source_create

pytestmark = pytest.mark.django_db(transaction=True)
REFUSAL_KEYS = {"success", "error", "code", "message"}


@pytest.fixture
def key(transactional_db) -> str:
    return source_create(name="Backend")[1]


def _post(live_server, key, path, body: bytes | dict, **headers):
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(
        f"{live_server.url}/v1/{path}",
        data=data,
        auth=(key, ""),
        headers={"Content-Type": "application/json", **headers},
        timeout=5,
    )


@pytest.mark.parametrize(
    ("message", "field"),
    [
        (
            {"timestamp": "9999-12-31T23:00:00Z", "sentAt": "0001-01-01T00:00:00Z"},
            "timestamp",
        ),
        (
            {"timestamp": "2190-01-01T00:00:00Z", "sentAt": "1970-01-01T00:00:00Z"},
            "sentAt",
        ),
        ({"timestamp": "0001-01-01T00:00:00+05:00"}, "timestamp"),
        ({"properties": {"firstName": "\ud800"}}, "properties.firstName"),
        ({"properties": {"note": "a\x00b"}}, "properties.note"),
    ],
)
def test_hostile_values_are_a_400_naming_the_field(live_server, key, message, field):
    response = _post(live_server, key, "track", {"userId": "ada", "event": "E", **message})

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert REFUSAL_KEYS <= response.json().keys()
    assert Event.objects.count() == 0


def test_a_lone_surrogate_in_identify_traits_is_a_400(live_server, key):
    response = _post(
        live_server, key, "identify", {"userId": "ada", "traits": {"firstName": "\udfff"}}
    )

    assert (response.status_code, response.json()["field"]) == (400, "traits.firstName")


def test_one_bad_batch_item_is_rejected_alone(live_server, key):
    batch = [
        {"type": "track", "userId": "ada", "event": "Good"},
        5,
        {"type": "track", "userId": "ada", "event": "E", "timestamp": "0001-01-01T00:00:00+05:00"},
        {"type": "identify", "userId": "ada", "traits": {"firstName": "\ud800"}},
        {"type": "track", "userId": "ada", "event": "Also good"},
    ]

    response = _post(live_server, key, "batch", {"batch": batch})

    assert response.status_code == 200
    assert response.json()["accepted"] == 2
    assert [(r["index"], r["field"]) for r in response.json()["rejected"]] == [
        (1, "body"),
        (2, "timestamp"),
        (3, "traits.firstName"),
    ]
    assert sorted(Event.objects.values_list("name", flat=True)) == ["Also good", "Good"]


def test_unknown_api_paths_and_methods_answer_json(live_server, key):
    unknown = requests.get(f"{live_server.url}/v1/nope", auth=(key, ""), timeout=5)
    wrong_method = requests.get(f"{live_server.url}/v1/track", auth=(key, ""), timeout=5)

    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    assert wrong_method.status_code == 405
    assert REFUSAL_KEYS <= wrong_method.json().keys()


def test_gzip_with_trailing_junk_is_refused(live_server, key):
    body = gzip.compress(json.dumps({"userId": "ada", "event": "E"}).encode()) + b"junk"

    response = _post(live_server, key, "track", body, **{"Content-Encoding": "gzip"})

    assert response.status_code == 400
    assert "after the end of its gzip stream" in response.json()["error"]
    assert Event.objects.count() == 0


def test_nul_and_huge_numbers_in_urls_are_4xx(live_server, key):
    _, secret = secret_key_create(name="Reader")
    bearer = {"Authorization": f"Bearer {secret}"}

    nul = requests.get(f"{live_server.url}/v1/contacts/a%00b", headers=bearer, timeout=5)
    huge = requests.post(
        f"{live_server.url}/v1/contacts/ada/messages/99999999999999999999999/read",
        headers=bearer,
        timeout=5,
    )

    assert (nul.status_code, huge.status_code) == (400, 404)
