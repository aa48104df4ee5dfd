from __future__ import annotations

import pytest

from channels.delivery.queue import MessageContent
from channels.delivery.queue import test_send as staff_test_send
from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from journeys.models import IdentitySecret, KeywordReply
from journeys.people.identity import user_hash
from journeys.people.sources import source_create
from tests.channels.support import CONTEXT, history

NOTE = MessageContent(subject="Your file", body="{{ event.filename }} is ready")


@pytest.fixture
def source_key(db) -> tuple[int, str]:
    source, key = source_create(name="App")
    return source.pk, key


@pytest.fixture
def app_contact(make_contact, source_key):
    return make_contact(user_id="u-42", source_id=source_key[0])


def signed(key: str, user_id: str = "u-42") -> dict[str, str]:
    """The write key and the user's hash, as a product's page sends them."""
    secret = IdentitySecret.objects.get(source__key_prefix=key[:10]).secret
    return {"Authorization": f"Bearer {key}", "X-Stepwise-User-Hash": user_hash(secret, user_id)}


def get_inbox(client, key: str, user_id: str = "u-42"):
    return client.get(f"/v1/contacts/{user_id}/messages", headers=signed(key, user_id))


def test_an_in_app_message_is_delivered_into_the_inbox(app_contact, queue, client, source_key):
    queued = queue(app_contact, "in_app", NOTE)

    response = get_inbox(client, source_key[1])

    message = Message.objects.get(pk=queued.message_id)
    body = response.json()
    assert response.status_code == 200
    assert (message.status, message.to_address) == ("delivered", "u-42")
    assert history(message.pk) == [
        ("", "queued", True),
        ("queued", "sent", True),
        ("sent", "delivered", True),
    ]
    assert body["success"] is True
    assert body["unread"] == 1
    assert [(m["id"], m["subject"], m["text"], m["read_at"]) for m in body["messages"]] == [
        (message.pk, "Your file", "q3.pdf is ready", None)
    ]


def test_marking_read_opens_the_message(app_contact, queue, client, source_key):
    queued = queue(app_contact, "in_app", NOTE)

    response = client.post(
        f"/v1/contacts/u-42/messages/{queued.message_id}/read", headers=signed(source_key[1])
    )
    inbox = get_inbox(client, source_key[1]).json()

    message = Message.objects.get(pk=queued.message_id)
    assert response.status_code == 200
    assert response.json()["read_at"] is not None
    assert (message.status, inbox["unread"]) == ("opened", 0)


def test_another_sources_key_cannot_read_the_inbox(app_contact, queue, client, db):
    queue(app_contact, "in_app", NOTE)
    _, other_key = source_create(name="Other")

    response = get_inbox(client, other_key)

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": "No contact with this user id.",
        "code": "not_found",
        "message": "No contact with this user id.",
    }


def test_an_unknown_message_cannot_be_marked_read(app_contact, client, source_key):
    response = client.post("/v1/contacts/u-42/messages/999/read", headers=signed(source_key[1]))

    assert response.status_code == 404
    assert response.json() == {
        "success": False,
        "error": "No such message in this contact's inbox.",
        "code": "not_found",
        "message": "No such message in this contact's inbox.",
    }


def test_the_inbox_needs_a_write_key(app_contact, client):
    assert client.get("/v1/contacts/u-42/messages").status_code == 401


def test_an_opted_out_contact_gets_nothing_in_the_inbox(app_contact, queue, client, source_key):
    subscription_set(
        contact_id=app_contact.pk, channel="in_app", state="unsubscribed", reason="settings"
    )

    queued = queue(app_contact, "in_app", NOTE)

    assert queued.status == "suppressed"
    assert get_inbox(client, source_key[1]).json()["messages"] == []


def test_an_in_app_test_send_stays_out_of_the_contacts_inbox(
    app_contact, client, source_key, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        queued = staff_test_send(
            channel="in_app",
            content=NOTE,
            contact_id=app_contact.pk,
            to_address="staff",
            context=CONTEXT,
        )

    assert Message.objects.get(pk=queued.message_id).status == "delivered"
    assert get_inbox(client, source_key[1]).json()["messages"] == []


def test_a_call_to_action_link_is_rendered_stored_and_returned_by_the_inbox(
    app_contact, queue, client, source_key
):
    content = MessageContent(
        subject="Your file",
        body="{{ event.filename }} is ready",
        url="https://app.example.com/files/{{ event.filename }}",
    )
    queued = queue(app_contact, "in_app", content)

    response = get_inbox(client, source_key[1])

    message = Message.objects.get(pk=queued.message_id)
    assert message.url == "https://app.example.com/files/q3.pdf"
    assert [(m["text"], m["url"]) for m in response.json()["messages"]] == [
        ("q3.pdf is ready", "https://app.example.com/files/q3.pdf")
    ]


def test_a_message_without_a_link_has_an_empty_url_in_the_inbox(
    app_contact, queue, client, source_key
):
    queue(app_contact, "in_app", NOTE)

    response = get_inbox(client, source_key[1])

    assert [m["url"] for m in response.json()["messages"]] == [""]


@pytest.mark.parametrize(
    ("url", "stored"),
    [
        ("/notes/new", "/notes/new"),
        ("http://localhost:3000/welcome", "http://localhost:3000/welcome"),
    ],
)
def test_a_link_may_be_a_page_of_the_product_or_an_http_url(app_contact, queue, url, stored):
    queued = queue(app_contact, "in_app", MessageContent(body="Hi", url=url))

    assert Message.objects.get(pk=queued.message_id).url == stored


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "//evil.example.com/x",
        "{{ event.filename }}",
        "/\\evil.example",  # browsers read /\ as //
        "/\\/evil.example",
        "/\t/evil.example",  # browsers drop the tab
        "/\n/evil.example",
        "https://app.example.com\\@evil.example",
    ],
)
def test_a_link_that_is_not_a_web_address_fails_the_message(app_contact, queue, url):
    queued = queue(app_contact, "in_app", MessageContent(body="Hi", url=url))

    message = Message.objects.get(pk=queued.message_id)
    assert (message.status, message.url) == ("failed", "")
    assert message.last_error == (
        "Link: The link must start with https://, http:// or a single / (a page of your "
        "product), with no backslash."
    )


@pytest.mark.parametrize(
    ("url", "saved"),
    [("/\\evil.example", False), ("//evil.example", False), ("/pricing", True)],
)
def test_a_keyword_replys_link_is_held_to_the_same_rule(admin_client, source_key, url, saved):
    response = admin_client.post(
        "/admin/journeys/keywordreply/add/",
        {"source": source_key[0], "phrase": "price", "answer": "See pricing.", "url": url},
    )

    assert KeywordReply.objects.filter(url=url).exists() is saved
    assert ("with no backslash" in response.content.decode()) is not saved
