"""Issue 12: no input makes the event API answer 5xx, and every refusal has the refusal
shape. Schemathesis fuzzes every operation of the OpenAPI document (a bounded number of
examples each); Hypothesis throws hostile JSON at the ingest endpoints."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from onboarding.wsgi import application

pytestmark = pytest.mark.django_db
SCHEMA = schemathesis.openapi.from_wsgi("/v1/openapi.json", application)
HOSTILE_TEXT = [
    "\ud800",
    "a\x00b",
    "²",
    "9999-12-31T23:00:00Z",
    "0001-01-01T00:00:00+05:00",
    "[" * 200,
    "",
    " ",
    "💥" * 50,
]
JSON_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
TEXT = st.sampled_from(HOSTILE_TEXT) | st.text(max_size=20)
JSON = st.recursive(
    JSON_SCALARS | TEXT,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=12,
)
FIELDS = [
    "userId",
    "anonymousId",
    "event",
    "timestamp",
    "sentAt",
    "traits",
    "properties",
    "context",
    "previousId",
    "groupId",
    "messageId",
    "name",
    "type",
    "batch",
]
MESSAGE = st.dictionaries(st.sampled_from(FIELDS) | TEXT, JSON, max_size=8)


def assert_refusal_shape(status: int, body: bytes) -> None:
    assert status < 500, body[:300]
    if status >= 400:
        refusal = json.loads(body)
        assert refusal["success"] is False
        assert {"error", "code", "message"} <= refusal.keys()


def _refusal_shape(ctx, response, case) -> bool | None:
    if response.status_code >= 400:
        assert_refusal_shape(response.status_code, response.content)
    return None


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Served through the raw WSGI app, each request would close the database connection
    at its end (as in production); the test's transaction needs it open, as Django's own
    test client arranges."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def keys(make_source, secret_key):
    return make_source("Backend")[1], secret_key


@SCHEMA.parametrize()
@settings(max_examples=25, suppress_health_check=list(HealthCheck))
def test_no_operation_answers_5xx_or_an_odd_refusal(case, keys):
    write_key, secret = keys
    reads_contacts = case.path in ("/v1/contacts/{user_id}", "/v1/contacts/{user_id}/export")
    key = secret if reads_contacts or case.method == "DELETE" else write_key
    case.call_and_validate(
        headers={"Authorization": f"Bearer {key}"},
        checks=[not_a_server_error, schemathesis.check(_refusal_shape)],
    )


@pytest.mark.parametrize("path", ["track", "identify", "page", "alias", "group", "batch"])
@settings(max_examples=60, suppress_health_check=list(HealthCheck))
@given(body=MESSAGE, wrap=st.booleans())
def test_hostile_json_is_never_a_5xx(client, keys, path, body, wrap):
    payload = {"batch": [body, body, 5]} if wrap or path == "batch" else body

    response = client.post(
        f"/v1/{path}",
        data=json.dumps(payload),
        content_type="application/json",
        headers={"Authorization": f"Bearer {keys[0]}"},
    )

    assert_refusal_shape(response.status_code, response.content)
