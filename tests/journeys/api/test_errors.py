"""Every refusal says what was wrong, and stores nothing."""

from __future__ import annotations

import gzip
import json

import pytest

from journeys.models import Event
from journeys.people.sources import source_revoke


def test_no_key_is_401(api, client):
    response = client.post(
        "/v1/track", data={"userId": "a", "event": "E"}, content_type="application/json"
    )

    assert response.status_code == 401
    assert response.json()["success"] is False
    assert "write key" in response.json()["error"]
    assert Event.objects.count() == 0


def test_wrong_key_is_401(api):
    response = api.post("track", {"userId": "a", "event": "E"}, key="sw_not-a-key")

    assert response.status_code == 401
    assert Event.objects.count() == 0


def test_revoked_key_is_401(api, make_source):
    source, key = make_source("Old app")
    source_revoke(source=source)

    response = api.post("track", {"userId": "a", "event": "E"}, key=key)

    assert response.status_code == 401


def test_malformed_json_is_400(api):
    response = api.post("track", b'{"userId": "a", "event": ')

    assert response.status_code == 400
    assert response.json()["error"] == "The body is not valid JSON (or not a JSON object)."


def test_json_that_is_not_an_object_is_400(api):
    response = api.post("track", [1, 2])

    assert response.status_code == 400


def test_malformed_gzip_is_400(api):
    response = api.post("track", b"certainly not gzip", Content_Encoding="gzip")

    assert response.status_code == 400
    assert response.json()["error"] == "The body is not valid gzip."


@pytest.mark.parametrize(
    ("body", "field", "error"),
    [
        ({"userId": "a"}, "event", "event is required"),
        ({"userId": "a", "event": ""}, "event", "event must not be empty"),
        ({"event": "E"}, "userId", "userId or anonymousId is required"),
        (
            {"userId": "a", "event": "E", "properties": "x"},
            "properties",
            "properties must be a JSON object",
        ),
        ({"userId": "a", "event": "E", "timestamp": "yesterday"}, "timestamp", None),
        ({"userId": "a", "event": "E", "timestamp": 1700000000}, "timestamp", None),
        ({"userId": True, "event": "E"}, "userId", None),
    ],
)
def test_bad_track_fields_are_400_naming_the_field(api, body, field, error):
    response = api.post("track", body)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert response.json()["error"].startswith(field)
    assert error is None or response.json()["error"] == error
    assert Event.objects.count() == 0


def test_identify_traits_not_an_object_is_400(api):
    response = api.post("identify", {"userId": "a", "traits": ["x"]})

    assert response.status_code == 400
    assert response.json()["field"] == "traits"


@pytest.mark.parametrize(
    ("traits", "field"),
    [
        ({"email": "not-an-address"}, "traits.email"),
        ({"phone": "call me"}, "traits.phone"),
        ({"timezone": "Mars/Olympus"}, "traits.timezone"),
        ({"locale": "!!"}, "traits.locale"),
        ({"firstName": 7}, "traits.firstName"),
    ],
)
def test_invalid_well_known_traits_are_400(api, traits, field):
    response = api.post("identify", {"userId": "a", "traits": traits})

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert Event.objects.count() == 0


def test_message_over_32kb_is_413(api):
    response = api.post("track", {"userId": "a", "event": "E", "properties": {"x": "y" * 33_000}})

    assert response.status_code == 413
    assert response.json()["error"] == "The body is larger than 32 KB."
    assert Event.objects.count() == 0


def test_batch_over_500kb_is_413(api):
    batch = [{"type": "track", "userId": "a", "event": "E", "properties": {"x": "y" * 6000}}] * 90

    response = api.post("batch", {"batch": batch})

    assert response.status_code == 413
    assert Event.objects.count() == 0


def test_gzip_that_inflates_past_the_limit_is_413(api):
    bomb = gzip.compress(json.dumps({"userId": "a", "event": "E", "pad": "0" * 5_000_000}).encode())

    response = api.post("track", bomb, Content_Encoding="gzip")

    assert len(bomb) < 32 * 1024
    assert response.status_code == 413
    assert Event.objects.count() == 0


def test_unknown_content_encoding_is_415(api):
    response = api.post("track", {"userId": "a", "event": "E"}, Content_Encoding="br")

    assert response.status_code == 415
