"""Privacy requests: export and erase with a secret key (live server), the admin and the
command; erased people stay opted out; reports keep their counts."""

from __future__ import annotations

from io import StringIO

import pytest
import requests
from django.core.management import call_command

from channels.models import Message
from journeys.models import (
    AuditEntry,
    Contact,
    ContactAlias,
    DecisionTrace,
    Enrollment,
    Event,
    Subscription,
)
from journeys.people.secret_keys import secret_key_create
from journeys.people.sources import source_create

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def keys(transactional_db):
    _, write = source_create(name="Backend")
    _, secret = secret_key_create(name="Privacy desk")
    return write, secret


def _send(live_server, write, path, body):
    answer = requests.post(f"{live_server.url}/v1/{path}", json=body, auth=(write, ""), timeout=5)
    assert answer.status_code == 200
    return answer


@pytest.fixture
def ada(live_server, keys):
    write, _ = keys
    _send(live_server, write, "track", {"anonymousId": "anon-1", "event": "Viewed Pricing"})
    _send(
        live_server,
        write,
        "identify",
        {"userId": "ada", "anonymousId": "anon-1", "traits": {"email": "Ada@Example.com"}},
    )
    _send(live_server, write, "track", {"userId": "ada", "event": "Signed Up"})
    contact = Contact.objects.get(user_id="ada")
    Subscription.objects.create(
        contact=contact, channel="email", state="unsubscribed", changed_at=contact.first_seen_at
    )
    Message.objects.create(
        contact=contact,
        channel="in_app",
        to_address="ada",
        subject="Hi Ada",
        body="Welcome, Ada",
        status="delivered",
        scheduled_for=contact.first_seen_at,
        created_at=contact.first_seen_at,
    )
    return contact


def _bearer(secret):
    return {"Authorization": f"Bearer {secret}"}


def test_export_returns_everything_held_and_is_audited(live_server, keys, ada):
    _, secret = keys

    response = requests.get(
        f"{live_server.url}/v1/contacts/ada/export", headers=_bearer(secret), timeout=5
    )

    body = response.json()
    assert response.status_code == 200
    assert body["traits"]["email"] == "Ada@example.com"
    assert body["anonymous_ids"] == ["anon-1"]
    assert [e["event"] for e in body["events"]] == ["Viewed Pricing", "Identify", "Signed Up"]
    assert [(m["subject"], m["text"]) for m in body["messages"]] == [("Hi Ada", "Welcome, Ada")]
    assert body["subscriptions"]["email"]["state"] == "unsubscribed"
    entry = AuditEntry.objects.get(action="contact.exported")
    assert entry.actor_label == "secret key Privacy desk"


def test_a_write_key_cannot_export_or_erase(live_server, keys, ada):
    write, _ = keys

    export = requests.get(f"{live_server.url}/v1/contacts/ada/export", auth=(write, ""), timeout=5)
    erase = requests.delete(f"{live_server.url}/v1/contacts/ada", auth=(write, ""), timeout=5)

    assert (export.status_code, erase.status_code) == (403, 403)
    assert Contact.objects.get(pk=ada.pk).user_id == "ada"


def test_erasure_removes_the_person_but_keeps_counts_and_the_opt_out(live_server, keys, ada):
    write, secret = keys
    enrollments_before = Enrollment.objects.count()

    response = requests.delete(
        f"{live_server.url}/v1/contacts/ada", headers=_bearer(secret), timeout=5
    )
    gone = requests.get(f"{live_server.url}/v1/contacts/ada", headers=_bearer(secret), timeout=5)

    assert response.status_code == 200
    assert response.json()["erased"]["events"] == 3
    assert gone.status_code == 404
    tombstone = Contact.objects.get(pk=ada.pk)
    assert (tombstone.user_id, tombstone.email, tombstone.traits) == (None, "", {})
    assert str(tombstone) == f"erased contact #{ada.pk}"
    assert Event.objects.filter(contact=ada).count() == 0
    assert ContactAlias.objects.count() == DecisionTrace.objects.count() == 0
    message = Message.objects.get(contact=ada)
    assert (message.status, message.subject, message.body, message.to_address) == (
        "delivered",
        "",
        "",
        "",
    )
    assert Enrollment.objects.count() == enrollments_before
    assert AuditEntry.objects.get(action="contact.erased").diff["events"] == 3

    _send(
        live_server,
        write,
        "identify",
        {"userId": "ada-again", "traits": {"email": "ada@example.com"}},
    )

    returned = Contact.objects.get(user_id="ada-again")
    assert Subscription.objects.get(contact=returned, channel="email").state == "unsubscribed"


def test_the_admin_erases_instead_of_deleting(admin_client, keys, ada):
    page = admin_client.get(f"/admin/journeys/contact/{ada.pk}/change/").content.decode()

    admin_client.post(
        "/admin/journeys/contact/", {"action": "erase_selected", "_selected_action": [ada.pk]}
    )

    assert "/delete/" not in page
    assert Contact.objects.get(pk=ada.pk).erased_at is not None
    assert AuditEntry.objects.get(action="contact.erased").actor_label == "admin"


def test_the_commands_export_and_erase(keys, ada):
    exported, erased = StringIO(), StringIO()

    call_command("export_contact", "ada", stdout=exported)
    call_command("erase_contact", "ada", "--yes", stdout=erased)

    assert '"Signed Up"' in exported.getvalue()
    assert erased.getvalue().startswith("Erased 'ada': 3 events")
    assert Contact.objects.filter(user_id="ada").count() == 0
