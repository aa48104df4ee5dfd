"""Writing to the bot with no question open: keyword replies, the honest hand-over to a
person (tests/chat/test_inbox.py has the inbox); refusals that change nothing."""

from __future__ import annotations

import base64

import pytest
from django.core import mail
from django.utils import timezone

from channels.chat.lines import BotIdentity, ChatLine, chat_post
from channels.models import ChatEntry, TeamAlert
from journeys.bot.words import match_keyword
from journeys.models import Contact, KeywordReply
from journeys.people.ingest import Incoming
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events
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


def test_a_french_contact_is_told_in_french_that_a_person_will_answer(client, product):
    Contact.objects.filter(pk=product.contact_id).update(locale="fr-CA")
    chat_post(
        contact_id=product.contact_id,
        line=ChatLine(author="bot", kind="message", text="Écrivez votre première note.",
                      bot=BotIdentity("Nova"), journey_id=1),
    )  # fmt: skip
    answer = post(client, product, "chat/replies", {"text": "commande-moi une pizza"})
    assert answer.json()["lines"][-1]["text"] == (
        "Je ne suis qu'un robot — j'ai transmis votre message à l'équipe Acme, qui répond "
        "d'habitude dans la journée.\n\nEn attendant, voici où nous en étions : Écrivez votre "
        "première note."
    )


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


TEAM = "team@stepwise.example.com"
WAIT_THEN_TELL = {
    "format": "stepwise.journey/1",
    "key": "onboarding",
    "name": "Onboarding",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "wait_note", "type": "wait_for_event", "event": "Created Note", "timeout": "P2D"},
        {"id": "tell", "type": "notify", "to": TEAM, "text": "{{ contact.user_id }} is stuck"},
    ],
}


def test_a_flood_of_replies_the_bot_cannot_answer_tells_the_team_once(client, product, settings):
    """The issue's flood: 200 chat replies in 4 s sent 200 emails to staff (50 here)."""
    settings.CHANNELS_TEAM_DIGEST_MINUTES = 60  # however slow this machine, one window
    journey_import(data=WAIT_THEN_TELL, publish=True)
    now = timezone.now()
    signed_up = Incoming(
        type="track",
        name="Signed Up",
        properties={},
        user_id="ada",
        anonymous_id=None,
        message_id="ada-signed-up",
        timestamp=now,
    )
    event_ingest(source_id=product.source_id, messages=[signed_up], received_at=now)
    process_pending_events(linger=0)

    answers = [
        post(client, product, "chat/replies", {"text": f"pizza {n}"}).status_code for n in range(50)
    ]

    assert answers == [200] * 50
    [email] = mail.outbox
    assert email.body.startswith("ada wrote to the bot and it could not answer: “pizza 0”.")
    assert TeamAlert.objects.filter(sent_at__isnull=True).count() == 0
