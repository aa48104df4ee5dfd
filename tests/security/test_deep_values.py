"""Traits and properties nested deeper than 32 levels are refused with a 400 naming the
field; whatever was stored before (or by other means) still shows on every staff page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from journeys.api.storable import may_be_too_deep, unstorable
from journeys.models import Contact, Event
from journeys.people.ingest import Incoming
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def nested(levels: int, leaf: object = "bottom") -> object:
    value = leaf
    for _ in range(levels):
        value = {"a": value}
    return value


def test_traits_nested_480_deep_are_refused_naming_the_field(api):
    response = api.post("identify", {"userId": "ada", "traits": {"settings": nested(480)}})

    assert response.status_code == 400
    assert response.json()["field"] == "traits.settings"
    assert response.json()["error"] == "traits.settings is nested more than 32 levels deep"
    assert Contact.objects.count() == 0


def test_properties_one_level_too_deep_are_refused_and_one_less_is_stored(api):
    # The body is the first level: {"properties": {"x": …}} puts x's value at level 3.
    too_deep = api.post("track", {"userId": "ada", "event": "E", "properties": {"x": nested(31)}})
    deepest = api.post("track", {"userId": "ada", "event": "E", "properties": {"x": nested(30)}})

    assert too_deep.status_code == 400
    assert too_deep.json()["field"] == "properties.x"
    assert deepest.status_code == 200
    assert Event.objects.count() == 1


def test_a_deep_batch_item_is_rejected_alone(api):
    batch = [
        {"type": "track", "userId": "ada", "event": "Deep", "properties": {"x": nested(100)}},
        {"type": "track", "userId": "ada", "event": "Fine", "properties": {"x": nested(3)}},
    ]

    response = api.post("batch", {"batch": batch})

    assert response.status_code == 200
    assert response.json()["rejected"] == [
        {"index": 0, "field": "properties.x", "error": "is nested more than 32 levels deep"}
    ]
    assert list(Event.objects.values_list("name", flat=True)) == ["Fine"]


def test_brackets_inside_text_are_not_nesting(api):
    text = "[" * 200 + "{" * 200

    response = api.post("track", {"userId": "ada", "event": "E", "properties": {"note": text}})

    assert response.status_code == 200


ODD_VALUES = {
    "deep": nested(480),
    "long": "x" * 100_000,
    "many": list(range(10_000)),
    "nan": "NaN",
    "number": 1e308,
    "empty": {},
    "html": "<script>alert(1)</script>",
}


@pytest.fixture
def odd_contact(make_source, settings, django_capture_on_commit_callbacks):
    """A contact whose traits and last event hold odd values, stored the way data that
    predates the depth check was stored: straight through the ingest service."""
    settings.CHANNELS_QUIET_HOURS = {}
    document = json.loads((ROOT / "examples" / "welcome.json").read_text())
    journey_import(data=document, publish=True)
    source, _ = make_source()
    now = timezone.now()
    common = {"user_id": "ada", "anonymous_id": None, "timestamp": now}
    messages = [
        Incoming(type="identify", name="Identify", traits=ODD_VALUES, message_id="1", **common),
        Incoming(
            type="track",
            name="Signed Up",
            properties={"plan": "free", **ODD_VALUES},
            message_id="2",
            **common,
        ),
    ]
    with django_capture_on_commit_callbacks(execute=True):
        event_ingest(source_id=source.pk, messages=messages, received_at=now)
    return Contact.objects.get(user_id="ada")


def test_staff_pages_show_any_stored_value(client, odd_contact):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    event = Event.objects.get(name="Signed Up")
    pages = [
        f"/admin/journeys/contact/{odd_contact.pk}/change/",
        "/admin/journeys/contact/",
        f"/admin/journeys/event/{event.pk}/change/",
        "/admin/journeys/event/",
        "/admin/journeys/eventtype/",
        f"/admin/builder/welcome/steps/hello/preview/?contact={odd_contact.user_id}",
        "/admin/builder/welcome/steps/hello/people/",
        "/admin/reports/welcome/steps/hello/",
    ]

    statuses = {page: client.get(page).status_code for page in pages}
    contact_page = client.get(pages[0]).content.decode()

    assert statuses == dict.fromkeys(pages, 200)
    assert "<dt>deep</dt><dd>a: a: a: …</dd>" in contact_page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in contact_page
    assert "x" * 400 not in contact_page


SNEAKY_TEXT = st.text(alphabet='[]{}"\\:,ab\n', max_size=8)


def _documents(levels: int):
    leaf = st.one_of(SNEAKY_TEXT, st.integers(), st.none())
    return st.recursive(
        leaf,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3), st.dictionaries(SNEAKY_TEXT, inner, max_size=3)
        ),
        max_leaves=levels,
    )


@settings(max_examples=300)
@given(
    depth=st.integers(min_value=25, max_value=40),
    filler=_documents(6),
    ascii_only=st.booleans(),
)
def test_the_quick_look_never_misses_a_body_too_deep(depth, filler, ascii_only):
    """Brackets, quotes and backslashes inside strings cannot hide real nesting."""
    document = {"batch": [filler, nested(depth, filler), {"note": filler}]}
    body = json.dumps(document, ensure_ascii=ascii_only).encode()

    assert may_be_too_deep(body) or unstorable(document) is None
