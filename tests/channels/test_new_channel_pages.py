"""The test-only pigeon channel (tests/channels/pigeon.py, registered by a setting) on every
staff page that shows channels: the builder's lists, edit form, card, preview, test send,
checks and dry run; the contact page; the message history; the reports; the privacy
export. Nothing outside its module names it."""

from __future__ import annotations

import html

import pytest
from django.utils import timezone

from channels.models import Message
from journeys.builder.drafts import journey_create
from journeys.models import Event, Journey
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from journeys.run.privacy import contact_export
from journeys.tasks import process_pending_events
from tests.journeys.core.helpers import journey_doc

pytestmark = pytest.mark.django_db

STEPS = [
    {
        "id": "coo",
        "type": "message",
        "channel": "pigeon",
        "variants": [
            {"name": "A", "weight": 1, "subject": "Hi", "body": "Welcome, {{ contact.first_name }}"}
        ],
    },
    {"id": "landed", "type": "wait_for_event", "event": "Landed", "timeout": "P2D"},
    {"id": "end", "type": "exit"},
]


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user(
        "ada", "ada@example.com", "pw", is_staff=True, is_superuser=True
    )
    client.force_login(user)
    return user


@pytest.fixture
def draft(pigeon, staff) -> Journey:
    return journey_create(name="Pigeons", by=staff, document=journey_doc(STEPS, key="pigeons"))


def _url(journey: Journey, tail: str = "") -> str:
    return f"/admin/builder/{journey.key}/{tail}"


def _get(client, path: str) -> str:
    response = client.get(path, HTTP_HX_REQUEST="true")
    assert response.status_code == 200, response.content.decode()[:2000]
    return html.unescape(response.content.decode())


def _save(client, journey: Journey, *, status: int = 200, **variant: str):
    journey.refresh_from_db()
    data = {
        "name": "coo",
        "channel": "pigeon",
        "variant-TOTAL_FORMS": "1",
        "variant-INITIAL_FORMS": "1",
        "variant-0-name": "A",
        "variant-0-weight": "1",
        "variant-0-subject": variant.get("subject", ""),
        "variant-0-body": variant.get("body", ""),
        "variant-0-url": variant.get("url", ""),
        "revision": str(journey.draft_revision),
    }
    response = client.post(_url(journey, "steps/coo/"), data, HTTP_HX_REQUEST="true")
    assert response.status_code == status, response.content.decode()[:2000]
    journey.refresh_from_db()
    return journey.draft_spec["steps"][0], response.content.decode()


def test_the_builder_offers_it_with_its_fields_and_their_labels(client, draft):
    form = _get(client, _url(draft, "steps/coo/"))

    assert '<option value="pigeon" selected>Carrier pigeon</option>' in form
    assert "pigeon:subject,body" in form
    assert "What the pigeon carries" in form


def test_the_builder_saves_only_its_fields(client, draft):
    saved, _page = _save(client, draft, subject="Hi", body="Coo", url="https://example.com")

    assert saved["channel"] == "pigeon"
    assert saved["variants"] == [{"name": "A", "weight": 1, "subject": "Hi", "body": "Coo"}]


def test_its_card_reads_in_its_own_words(client, draft):
    page = _get(client, _url(draft))

    assert "Send a pigeon: “Hi”" in page


def test_the_preview_renders_it_and_offers_a_test_send_to_a_loft(client, draft, make_contact):
    make_contact(user_id="ada", first_name="Ada", traits={"loft": "Loft 7, Paris"})

    preview = _get(client, _url(draft, "steps/coo/preview/?contact=ada"))
    sent = client.post(
        _url(draft, "steps/coo/test-send/"), {"variant": "A", "to": "Loft 9", "contact": "ada"}
    )

    assert "WELCOME, ADA" in preview
    assert "Send a test to this loft" in preview
    assert 'placeholder="Loft 7, Paris"' in preview
    assert "Test of variant A sent to Loft 9" in sent.content.decode()
    assert [m.to_address for m in Message.objects.filter(is_test=True)] == ["Loft 9"]


def test_the_checks_show_its_own_rules(client, draft):
    _save(client, draft, subject="Hi", body="x" * 41)

    checks = _get(client, _url(draft, "checks/"))

    assert "A pigeon carries 40 characters at most." in checks


def test_the_dry_run_sends_it_in_words(client, draft):
    body = html.unescape(
        client.post(
            _url(draft, "dry-run/"), {"script": "now: Signed Up"}, HTTP_HX_REQUEST="true"
        ).content.decode()
    )

    assert "Gets a pigeon, variant A" in body


@pytest.fixture
def delivered(pigeon, staff, make_contact, django_capture_on_commit_callbacks) -> Message:
    """The journey published, ada entered it, got her pigeon and waits for it to land."""
    ada = make_contact(user_id="ada", traits={"loft": "Loft 7, Paris"})
    source, _key = source_create(name="Product")
    journey_import(data=journey_doc(STEPS), publish=True)
    now = timezone.now()
    Event.objects.create(
        source=source, contact=ada, name="Signed Up", message_id="m-1", timestamp=now,
        received_at=now,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        process_pending_events(linger=0)
    return Message.objects.get(channel="pigeon")


def test_the_contact_page_lists_its_subscription_and_message(client, delivered):
    page = _get(client, f"/admin/journeys/contact/{delivered.contact_id}/change/")

    assert "<dt>Pigeon post</dt><dd>Subscribed</dd>" in page
    assert "<td>Pigeon post</td>" in page


def test_the_message_history_shows_it_as_sent(client, delivered):
    page = _get(client, f"/admin/channels/message/{delivered.pk}/change/")

    assert "To Loft 7, Paris" in page
    assert "WELCOME, ADA" in page
    assert "<dd>Pigeon post</dd>" in page


def test_the_reports_count_it_and_offer_it_for_a_one_off_message(client, delivered):
    outcomes = client.get("/admin/reports/test/deliverability.csv").content.decode()
    dropoff = _get(client, "/admin/reports/test/steps/landed/?which=waiting")

    assert outcomes.splitlines()[1].startswith("Coo,Only one version,0,1,")  # one sent
    assert '<option value="pigeon">Carrier pigeon</option>' in dropoff


def test_the_privacy_export_holds_its_message_and_subscription(delivered):
    export = contact_export(user_id="ada")

    assert [m["channel"] for m in export["messages"]] == ["pigeon"]
    assert export["subscriptions"]["pigeon"]["state"] == "subscribed"


def test_the_builder_holds_its_fields_to_its_limits(client, draft):
    form = _get(client, _url(draft, "steps/coo/"))
    kept, page = _save(client, draft, status=422, subject="x" * 21, body="Coo")

    assert 'maxlength="20"' in form
    assert "at most 20 characters (it has 21)" in page
    assert kept["variants"][0]["subject"] == "Hi"
