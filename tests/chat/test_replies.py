"""Writing to the bot with no question open: keyword replies, the honest hand-over to a
person (tests/chat/test_inbox.py has the inbox); refusals that change nothing."""

from __future__ import annotations

import base64

import pytest
from django.core import mail

from channels.chat.lines import BotIdentity, ChatLine, chat_post
from channels.models import ChatEntry
from journeys.bot.words import match_keyword
from journeys.models import KeywordReply
from tests.chat.conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)


def post(client, product, path: str, body: dict, *, user_hash: str | None = "own", **headers):
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    sent = {"Authorization": f"Basic {token}", "Origin": ORIGIN, **headers}
    if user_hash is not None:
        sent["X-Stepwise-User-Hash"] = product.hash() if user_hash == "own" else user_hash
    return client.post(
        f"/v1/contacts/{product.user_id}/{path}",
        body,
        content_type="application/json",
        headers=sent,
    )


def test_a_keyword_reply_answers_the_staff_defined_phrase(client, product):
    KeywordReply.objects.create(
        source_id=product.source_id,
        phrase="pricing",
        answer="Acme Notes is free for teams of up to 5.",
        url="/pricing",
        link_label="See pricing",
    )
    answer = post(client, product, "chat/replies", {"text": "What about Pricing?"})
    assert answer.status_code == 200, answer.content
    lines = answer.json()["lines"]
    assert [(line["author"], line["kind"], line["text"]) for line in lines] == [
        ("user", "reply", "What about Pricing?"),
        ("bot", "keyword", "Acme Notes is free for teams of up to 5."),
    ]
    assert (lines[1]["url"], lines[1]["cta"]) == ("/pricing", "See pricing")


def test_unexpected_text_is_passed_to_a_person_restating_the_next_step(client, product):
    chat_post(
        contact_id=product.contact_id,
        line=ChatLine(
            author="bot",
            kind="message",
            text="Create your first note: it takes ten seconds.",
            url="/notes/new",
            cta="New note",
            bot=BotIdentity("Nova"),
            journey_id=1,
        ),
    )
    answer = post(client, product, "chat/replies", {"text": "can you order me a pizza"})
    bot = answer.json()["lines"][-1]
    assert bot["kind"] == "handoff"
    assert bot["text"] == (
        "I'm just a bot — I've passed this to the Acme team; they usually answer within a "
        "day.\n\nMeanwhile, here is where we were: Create your first note: it takes ten seconds."
    )
    assert (bot["url"], bot["cta"], bot["bot"]["name"]) == ("/notes/new", "New note", "Nova")
    assert answer.json()["state"] == {"last": 3, "unread": 2, "open": None}
    assert mail.outbox == []


@pytest.mark.parametrize(
    ("user_hash", "status", "code"),
    [(None, 401, "user_hash_missing"), ("f" * 64, 403, "user_hash_invalid")],
)
def test_a_reply_without_the_users_hash_is_refused_and_stores_nothing(
    client, product, user_hash, status, code
):
    answer = post(client, product, "chat/replies", {"text": "hello"}, user_hash=user_hash)
    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert ChatEntry.objects.count() == 0


def test_a_reply_from_an_origin_the_source_does_not_allow_is_refused(client, product):
    answer = post(client, product, "chat/replies", {"text": "hello"}, Origin="https://evil.example")
    assert answer.status_code == 403
    assert ChatEntry.objects.count() == 0


def test_an_empty_reply_is_a_400_naming_the_field(client, product):
    answer = post(client, product, "chat/replies", {"text": "   "})
    assert (answer.status_code, answer.json()["field"]) == (400, "text")
    assert ChatEntry.objects.count() == 0


def test_marking_read_clears_the_badge_and_never_goes_backwards(client, product):
    for text in ("one", "two", "three"):
        chat_post(contact_id=product.contact_id, line=ChatLine("bot", "message", text))
    assert post(client, product, "chat/read", {"up_to": 2}).json()["state"]["unread"] == 1
    assert post(client, product, "chat/read", {"up_to": 1}).json()["state"]["unread"] == 1
    assert post(client, product, "chat/read", {"up_to": 99}).json()["state"] == {
        "last": 3,
        "unread": 0,
        "open": None,
    }


def test_keyword_matching_takes_whole_words_and_the_longest_phrase():
    choices = [("price", "a"), ("talk to a human", "b"), ("human", "c")]
    assert match_keyword("Can I TALK to a human, please?", choices) == "b"
    assert match_keyword("prices", choices) is None
    assert match_keyword("the price?", choices) == "a"


def test_staff_add_a_keyword_reply_in_the_admin(admin_client, product):
    answer = admin_client.post(
        "/admin/journeys/keywordreply/add/",
        {"source": product.source_id, "phrase": "pricing", "answer": "Free for 5.", "url": ""},
    )
    assert answer.status_code == 302
    assert list(KeywordReply.objects.values_list("phrase", "answer")) == [
        ("pricing", "Free for 5.")
    ]
