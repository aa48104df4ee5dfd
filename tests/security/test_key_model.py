"""Issue 12: publishable (browser) write keys only send events; secret keys read contacts.
Each attack from the issue, through a live server."""

from __future__ import annotations

from io import StringIO

import pytest
import requests
from django.core.management import call_command

from journeys.models import AuditEntry, Contact, SecretKey
from journeys.people.secret_keys import secret_key_create, secret_key_revoke
from journeys.people.sources import hash_key, source_create
from tests.conftest import hash_for

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = "https://app.example.com"


@pytest.fixture
def browser(transactional_db):
    """A browser source (its key is in every page) and a server source that owns h-2."""
    web, web_key = source_create(name="Web app", allowed_origins=[ORIGIN])
    _, server_key = source_create(name="Backend")
    return web, web_key, server_key


@pytest.fixture
def h2(live_server, browser):
    _, _, server_key = browser
    answer = _post(
        live_server,
        server_key,
        "identify",
        {"userId": "h-2", "traits": {"email": "h2@example.com", "firstName": "Hana"}},
    )
    assert answer.status_code == 200
    return Contact.objects.get(user_id="h-2")


def _post(live_server, key, path, body, **headers):
    return requests.post(
        f"{live_server.url}/v1/{path}", json=body, auth=(key, ""), headers=headers, timeout=5
    )


def test_a_browser_key_cannot_rewrite_another_users_email(live_server, browser, h2):
    _, web_key, _ = browser
    attack = {"userId": "h-2", "traits": {"email": "attacker@evil.example"}}

    unsigned = _post(live_server, web_key, "identify", attack)
    forged = _post(live_server, web_key, "identify", attack, **{"X-Stepwise-User-Hash": "0" * 64})

    assert (unsigned.status_code, unsigned.json()["code"]) == (401, "user_hash_missing")
    assert (forged.status_code, forged.json()["code"]) == (403, "user_hash_invalid")
    assert Contact.objects.get(user_id="h-2").email == "h2@example.com"


def test_a_browser_key_cannot_read_a_contact(live_server, browser, h2):
    _, web_key, _ = browser

    response = requests.get(f"{live_server.url}/v1/contacts/h-2", auth=(web_key, ""), timeout=5)

    assert response.status_code == 403
    assert response.json()["code"] == "secret_key_required"
    assert "h2@example.com" not in response.text


def test_a_browser_key_cannot_alias_another_known_user_into_its_own(live_server, browser, h2):
    web, web_key, _ = browser
    mine = {"X-Stepwise-User-Hash": hash_for(web, "attacker")}

    response = _post(
        live_server, web_key, "alias", {"previousId": "h-2", "userId": "attacker"}, **mine
    )

    assert response.status_code == 403
    assert response.json()["code"] == "alias_merges_known_user"
    assert list(Contact.objects.values_list("user_id", flat=True)) == ["h-2"]


def test_anonymous_events_need_no_hash_and_merging_needs_the_known_users(live_server, browser):
    web, web_key, _ = browser
    visit = {"anonymousId": "visitor-7", "event": "Viewed Pricing"}
    merge = {"userId": "ada", "anonymousId": "visitor-7", "traits": {"firstName": "Ada"}}

    anonymous = _post(live_server, web_key, "track", visit)
    unsigned_merge = _post(live_server, web_key, "identify", merge)
    signed_merge = _post(
        live_server, web_key, "identify", merge, **{"X-Stepwise-User-Hash": hash_for(web, "ada")}
    )

    assert (anonymous.status_code, unsigned_merge.status_code) == (200, 401)
    assert signed_merge.status_code == 200
    ada = Contact.objects.get(user_id="ada")
    assert list(ada.events.values_list("name", flat=True).order_by("id")) == [
        "Viewed Pricing",
        "Identify",
    ]


def test_a_hash_may_ride_in_the_message_context(live_server, browser):
    web, web_key, _ = browser

    response = _post(
        live_server,
        web_key,
        "track",
        {"userId": "ada", "event": "Opened", "context": {"userHash": hash_for(web, "ada")}},
    )

    assert response.status_code == 200


def test_a_batch_rejects_only_the_items_without_their_users_hash(live_server, browser):
    web, web_key, _ = browser
    batch = [
        {"type": "track", "anonymousId": "v-1", "event": "A"},
        {"type": "track", "userId": "h-9", "event": "B"},
        {
            "type": "track",
            "userId": "ada",
            "event": "C",
            "context": {"userHash": hash_for(web, "ada")},
        },
    ]

    response = _post(live_server, web_key, "batch", {"batch": batch})

    assert response.status_code == 200
    assert response.json()["accepted"] == 2
    assert [(r["index"], r["code"]) for r in response.json()["rejected"]] == [
        (1, "user_hash_missing")
    ]
    assert Contact.objects.filter(user_id="h-9").count() == 0


def test_a_server_sources_key_still_sends_for_any_user(live_server, browser):
    _, _, server_key = browser

    response = _post(live_server, server_key, "track", {"userId": "grace", "event": "E"})

    assert response.status_code == 200


def test_create_secret_key_prints_it_once_stored_hashed_and_audited(live_server, browser, h2):
    out = StringIO()

    call_command("create_secret_key", "CRM sync", stdout=out)

    key = out.getvalue().splitlines()[-1]
    stored = SecretKey.objects.get()
    assert key.startswith("sk_")
    assert stored.key_hash == hash_key(key)
    assert key not in (stored.key_hash, stored.key_prefix)
    read = requests.get(
        f"{live_server.url}/v1/contacts/h-2", headers={"Authorization": f"Bearer {key}"}, timeout=5
    )
    assert (read.status_code, read.json()["traits"]["email"]) == (200, "h2@example.com")
    assert AuditEntry.objects.get().action == "secret_key.created"


def test_a_revoked_secret_key_reads_nothing(live_server, browser, h2, settings):
    settings.EVENT_API_KEY_CACHE_SECONDS = 0
    record, key = secret_key_create(name="Old job")

    secret_key_revoke(key=record)
    response = requests.get(
        f"{live_server.url}/v1/contacts/h-2", headers={"Authorization": f"Bearer {key}"}, timeout=5
    )

    assert response.status_code == 401
    assert [e.action for e in AuditEntry.objects.order_by("id")] == [
        "secret_key.created",
        "secret_key.revoked",
    ]


def test_a_secret_key_reads_any_inbox_without_a_hash(live_server, browser, h2):
    _, key = secret_key_create(name="Support tool")

    response = requests.get(
        f"{live_server.url}/v1/contacts/h-2/messages",
        headers={"Authorization": f"Bearer {key}"},
        timeout=5,
    )

    assert (response.status_code, response.json()["messages"]) == (200, [])
