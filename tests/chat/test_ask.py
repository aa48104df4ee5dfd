"""The ask step end to end: the question in the chat, a typed answer and a quick reply
saved to traits and reacted to in order, a friendly re-ask, the timeout path, SMS."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from twilio.request_validator import RequestValidator

from channels.models import ChatEntry, Message
from journeys.core.engine import ContactView
from journeys.core.format import parse_journey
from journeys.core.simulate import ScriptEvent, simulate
from journeys.core.steps.ask_reading import Answer, Invalid, read_answer
from journeys.models import Contact
from journeys.people.ingest import Incoming
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events
from tests.chat.conftest import ORIGIN

pytestmark = pytest.mark.django_db(transaction=True)

JOURNEY = {
    "format": "stepwise.journey/1",
    "key": "hello-bot",
    "name": "Hello bot",
    "bot": {"name": "Nova", "avatar": "/static/stepwise/nova.svg"},
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "hello", "type": "message", "channel": "in_app",
         "variants": [{"body": "Hi, I'm Nova. I'm just a bot."}]},
        {"id": "ask_name", "type": "ask", "channel": "in_app",
         "question": "What should I call you?", "answer": {"type": "text", "max_length": 20},
         "trait": "first_name", "timeout": "PT1H", "on_timeout": "suggest"},
        {"id": "ask_role", "type": "ask", "channel": "in_app",
         "question": "Nice to meet you, {{ contact.first_name }}! Your role?",
         "replies": [{"label": "Design", "value": "design"},
                     {"label": "Engineering", "value": "eng"}],
         "trait": "role"},
        {"id": "suggest", "type": "message", "channel": "in_app",
         "variants": [{"body": "{{ event.properties.label }}, great. Write your first note.",
                       "url": "/notes/new/", "cta": "Write a note"}]},
        {"id": "wait", "type": "wait_for_event", "event": "Created Note"},
        {"id": "praise", "type": "message", "channel": "in_app",
         "variants": [
             {"body": "Nice note, {{ contact.first_name }} the {{ contact.traits.role }}!"}]},
    ],
}  # fmt: skip


def track(source_id: int, user_id: str, event: str, **properties) -> None:
    now = timezone.now()
    event_ingest(
        source_id=source_id,
        messages=[
            Incoming(type="track", name=event, user_id=user_id, anonymous_id=None,
                     message_id=f"{event}-{now.timestamp()}", timestamp=now, properties=properties)
        ],
        received_at=now,
    )  # fmt: skip
    process_pending_events(linger=0)


def reply(client, product, body: dict):
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "Origin": ORIGIN,
               "X-Stepwise-User-Hash": product.hash()}  # fmt: skip
    answer = client.post(
        "/v1/contacts/ada/chat/replies", body, content_type="application/json", headers=headers
    )
    process_pending_events(linger=0)
    return answer


def chat(contact_id: int) -> list[tuple[str, str, str]]:
    return [
        (entry.author, entry.kind, entry.text)
        for entry in ChatEntry.objects.filter(contact_id=contact_id).order_by("seq")
    ]


@pytest.fixture
def journey(transactional_db):
    return journey_import(data=JOURNEY, publish=True)


def test_the_bot_asks_saves_answers_and_reacts_to_each_in_order(client, product, journey):
    track(product.source_id, "ada", "Signed Up")
    question = ChatEntry.objects.get(contact_id=product.contact_id, kind="question")
    assert (question.text, question.bot_name, question.answer) == (
        "What should I call you?",
        "Nova",
        {"type": "text", "max_length": 20},
    )

    answer = reply(client, product, {"text": "Ada", "question": question.seq})
    assert answer.status_code == 200, answer.content
    role = ChatEntry.objects.get(contact_id=product.contact_id, step_key="ask_role")
    assert role.replies == [
        {"label": "Design", "value": "design"},
        {"label": "Engineering", "value": "eng"},
    ]
    reply(client, product, {"text": "Design", "value": "design", "question": role.seq})
    track(product.source_id, "ada", "Created Note", title="Groceries")

    assert chat(product.contact_id) == [
        ("bot", "message", "Hi, I'm Nova. I'm just a bot."),
        ("bot", "question", "What should I call you?"),
        ("user", "reply", "Ada"),
        ("bot", "question", "Nice to meet you, Ada! Your role?"),
        ("user", "reply", "Design"),
        ("bot", "message", "Design, great. Write your first note."),
        ("bot", "message", "Nice note, Ada the design!"),
    ]
    contact = Contact.objects.get(pk=product.contact_id)
    assert (contact.first_name, contact.traits["role"]) == ("Ada", "design")
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    headers = {"Authorization": f"Basic {token}", "X-Stepwise-User-Hash": product.hash()}
    last = ChatEntry.objects.filter(contact_id=product.contact_id).order_by("seq").last()
    read = client.post("/v1/contacts/ada/chat/read", {"up_to": last.seq},
                       content_type="application/json", headers=headers)  # fmt: skip
    assert read.json()["state"]["unread"] == 0
    inbox = client.get("/v1/contacts/ada/messages", headers=headers).json()
    assert (inbox["unread"], len(inbox["messages"])) == (0, 5)
    suggest = ChatEntry.objects.get(contact_id=product.contact_id, step_key="suggest")
    assert (suggest.url, suggest.cta) == ("/notes/new/", "Write a note")


def test_a_bad_answer_gets_a_friendly_reask_and_the_journey_waits(client, product, journey):
    track(product.source_id, "ada", "Signed Up")
    answer = reply(client, product, {"text": "A" * 30})
    lines = answer.json()["lines"]
    assert [(line["author"], line["kind"]) for line in lines] == [
        ("user", "reply"),
        ("bot", "reask"),
    ]
    assert lines[1]["text"] == (
        "Sorry, I didn't catch that. That's a bit long for me: 20 characters at most."
        "\n\nWhat should I call you?"
    )
    assert answer.json()["state"]["open"] == lines[1]["seq"]
    assert Contact.objects.get(pk=product.contact_id).first_name == ""
    assert ChatEntry.objects.filter(step_key="ask_role").count() == 0


def test_a_click_on_a_call_to_action_is_recorded_before_the_link_is_followed(
    client, product, journey
):
    track(product.source_id, "ada", "Signed Up")
    question = ChatEntry.objects.get(contact_id=product.contact_id, kind="question")
    reply(client, product, {"text": "Ada", "question": question.seq})
    role = ChatEntry.objects.get(contact_id=product.contact_id, step_key="ask_role")
    reply(client, product, {"text": "eng", "question": role.seq})
    suggest = ChatEntry.objects.get(contact_id=product.contact_id, step_key="suggest")
    token = base64.b64encode(f"{product.key}:".encode()).decode()
    answer = client.post(
        f"/v1/contacts/ada/chat/{suggest.seq}/click",
        {},
        content_type="application/json",
        headers={"Authorization": f"Basic {token}", "X-Stepwise-User-Hash": product.hash()},
    )
    assert answer.json() == {"success": True, "url": "/notes/new/"}
    assert Message.objects.get(pk=suggest.message_id).status == "clicked"
    from journeys.models import Event  # noqa: PLC0415

    event = Event.objects.get(name="Clicked Message Link")
    assert event.properties == {"url": "/notes/new/", "label": "Write a note", "kind": "message",
                                "step": "suggest"}  # fmt: skip


def test_no_answer_in_time_takes_the_timeout_path():
    spec = parse_journey(JOURNEY)
    start = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    run = simulate(
        spec,
        contact=ContactView(id=1, traits={}),
        script=[ScriptEvent(name="Signed Up", at=start)],
        start=start,
        horizon=timedelta(hours=2),
    )
    assert [(sent.step_id, sent.channel) for sent in run.sent] == [
        ("hello", "in_app"),
        ("ask_name", "in_app"),
        ("suggest", "in_app"),
    ]
    assert run.final is not None
    assert (run.final.step_id, run.final.state) == ("wait", "waiting")


@pytest.mark.parametrize(
    ("step_id", "text", "value", "expected"),
    [
        ("ask_name", "  Ada  Lovelace ", None, Answer("Ada Lovelace", "Ada Lovelace")),
        ("ask_role", "ENGINEERING!", None, Answer("eng", "Engineering")),
        ("ask_role", "2", None, Answer("eng", "Engineering")),
        ("ask_role", "whatever", "design", Answer("design", "Design")),
        ("ask_role", "pizza", None, Invalid("Press one of the buttons: Design or Engineering.")),
    ],
)
def test_answers_are_read_against_the_question(step_id, text, value, expected):
    step = parse_journey(JOURNEY).step(step_id)
    assert read_answer(step, text, value) == expected


def test_an_sms_question_is_answered_by_a_text_and_stop_still_wins(client, product, settings):
    settings.TWILIO_AUTH_TOKEN = "twilio-test-token"
    Contact.objects.filter(pk=product.contact_id).update(phone="+14155550100")
    document = {**JOURNEY, "key": "sms-bot", "steps": [
        {"id": "ask_email", "type": "ask", "channel": "sms", "question": "Your email?",
         "answer": {"type": "email"}, "trait": "email"},
        {"id": "thanks", "type": "message", "channel": "sms",
         "variants": [{"body": "Thanks, {{ event.properties.answer }}"}]}]}  # fmt: skip
    journey_import(data=document, publish=True)
    track(product.source_id, "ada", "Signed Up")

    def text(body: str):
        url = f"{settings.PUBLIC_URL}/webhooks/twilio/inbound/"
        form = {"From": "+14155550100", "Body": body, "MessageSid": "SM1"}
        signature = RequestValidator("twilio-test-token").compute_signature(url, form)
        answer = client.post("/webhooks/twilio/inbound/", form,
                             headers={"X-Twilio-Signature": signature})  # fmt: skip
        process_pending_events(linger=0)
        return answer.content.decode()

    assert "didn't catch that" in text("not an email")
    assert "<Message>" not in text("ada@example.com")
    assert Contact.objects.get(pk=product.contact_id).email == "ada@example.com"
    assert (
        Message.objects.get(channel="sms", content__body__startswith="Thanks").context["event"][
            "properties"
        ]["answer"]
        == "ada@example.com"
    )
    assert "<Message>" not in text("STOP")


def test_the_ask_step_is_in_the_palette_for_the_builder():
    from journeys.core.steps import palette  # noqa: PLC0415

    ask = next(step_type for step_type in palette() if step_type.key == "ask")
    assert (ask.label, ask.description) == (
        "Ask a question",
        "The bot asks something (quick replies or typed), saves the answer, waits.",
    )
    spec = parse_journey(JOURNEY)
    assert ask.summary(spec.step("ask_name"), spec) == (
        "Ask “What should I call you?” (typed answer, saved as first_name); if no answer in "
        "1 hour, go to Suggest"
    )
