"""Answers in sentences, through the real reply API and the worker: the bot stores the name
in "hi, I'm Alex", checks when it is unsure, and reads yes/no, numbers and choices in
English and French."""

from __future__ import annotations

import pytest

from channels.models import ChatEntry
from journeys.models import Contact
from journeys.run.journeys import journey_import
from tests.chat.test_ask import JOURNEY, chat, reply, track

pytestmark = pytest.mark.django_db(transaction=True)

CHOICES = {
    "format": "stepwise.journey/1",
    "key": "questions",
    "name": "Questions",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "ask_team", "type": "ask", "channel": "in_app", "question": "Combien êtes-vous ?",
         "answer": {"type": "number"}, "trait": "team_size"},
        {"id": "ask_news", "type": "ask", "channel": "in_app", "question": "Des nouvelles ?",
         "answer": {"type": "yes_no"}, "trait": "newsletter"},
        {"id": "ask_role", "type": "ask", "channel": "in_app", "question": "Votre métier ?",
         "answer": {"type": "choice", "choices": ["Produit", "Design", "Ingénierie"]},
         "trait": "role"},
        {"id": "done", "type": "message", "channel": "in_app",
         "variants": [{"body": "{{ contact.traits.team_size }} / {{ contact.traits.role }}"}]},
    ],
}  # fmt: skip


@pytest.fixture
def hello(transactional_db):
    return journey_import(data=JOURNEY, publish=True)


def _first_name(product) -> str:
    return Contact.objects.get(pk=product.contact_id).first_name


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("hi, I'm Alex", "Alex"),
        ("je m'appelle Zoé", "Zoé"),
        ("Alex here", "Alex"),
        ("ALEX", "Alex"),
    ],
)
def test_a_name_said_in_a_sentence_is_stored_as_the_name(client, product, hello, said, name):
    track(product.source_id, "ada", "Signed Up")
    reply(client, product, {"text": said})

    assert _first_name(product) == name
    role = ChatEntry.objects.get(contact_id=product.contact_id, step_key="ask_role")
    assert role.text == f"Nice to meet you, {name}! Your role?"


def test_the_bot_checks_a_name_it_is_unsure_of_and_a_typed_yes_confirms_it(client, product, hello):
    track(product.source_id, "ada", "Signed Up")
    answer = reply(client, product, {"text": "Jo Ann Lee Smith"})

    check = answer.json()["lines"][-1]
    assert check["text"] == "Jo Ann Lee, is that right?"
    assert [r["label"] for r in check["replies"]] == ["Yes", "No"]
    assert _first_name(product) == ""
    reply(client, product, {"text": "yes that's right"})
    assert _first_name(product) == "Jo Ann Lee"


def test_no_to_the_check_asks_the_question_again_and_saves_nothing(client, product, hello):
    track(product.source_id, "ada", "Signed Up")
    reply(client, product, {"text": "Jo Ann Lee Smith"})
    answer = reply(client, product, {"text": "No", "value": "retry"})

    assert answer.json()["lines"][-1]["text"] == (
        "Sorry, I didn't catch that. Let's try that again.\n\nWhat should I call you?"
    )
    assert _first_name(product) == ""
    reply(client, product, {"text": "call me Ada"})
    assert _first_name(product) == "Ada"


def test_a_french_user_answers_a_number_a_yes_and_a_choice_in_sentences(client, product):
    journey_import(data=CHOICES, publish=True)
    track(product.source_id, "ada", "Signed Up")
    reply(client, product, {"text": "on est environ 12"})
    reply(client, product, {"text": "oui volontiers"})
    reply(client, product, {"text": "je fais de l'ingenierie"})

    contact = Contact.objects.get(pk=product.contact_id)
    assert (contact.traits["team_size"], contact.traits["newsletter"]) == (12, True)
    assert contact.traits["role"] == "Ingénierie"
    assert chat(product.contact_id)[-1] == ("bot", "message", "12 / Ingénierie")
