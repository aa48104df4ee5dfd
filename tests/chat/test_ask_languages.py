"""Issue 23: the ask step asks a French contact in French (the question, the buttons, the
re-ask) and understands a French answer, saving the same value an English one would."""

from __future__ import annotations

import pytest

from channels.models import ChatEntry, Message
from journeys.models import Contact
from journeys.run.journeys import journey_import
from tests.chat.test_ask import reply, track

pytestmark = pytest.mark.django_db(transaction=True)

JOURNEY = {
    "format": "stepwise.journey/1", "key": "metier", "name": "Role",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "ask_role", "type": "ask", "channel": "in_app", "question": "Your role?",
         "replies": [{"label": "Design", "value": "design"},
                     {"label": "Engineering", "value": "eng"}],
         "trait": "role",
         "locales": {"fr": {"question": "Votre métier ?", "replies": ["Design", "Ingénierie"],
                            "retry": "Pardon, je n'ai pas compris."}}},
        {"id": "ask_team", "type": "ask", "channel": "in_app", "question": "Your team?",
         "answer": {"type": "choice", "choices": ["Sales", "Support"]}, "trait": "team",
         "locales": {"fr": {"question": "Votre équipe ?", "choices": ["Ventes", "Assistance"]}}},
    ],
}  # fmt: skip


def test_a_french_contact_is_asked_in_french_and_understood(client, product):
    journey_import(data=JOURNEY, publish=True)
    Contact.objects.filter(pk=product.contact_id).update(locale="fr-FR")
    track(product.source_id, "ada", "Signed Up")

    question = ChatEntry.objects.get(contact_id=product.contact_id, step_key="ask_role")
    assert question.text == "Votre métier ?"
    assert question.replies == [
        {"label": "Design", "value": "design"},
        {"label": "Ingénierie", "value": "eng"},
    ]
    sent = Message.objects.get(pk=question.message_id)
    assert sent.language_reason == "French (fr) for locale fr-FR"

    wrong = reply(client, product, {"text": "cuisine", "question": question.seq})
    reask = wrong.json()["lines"][1]
    assert reask["text"] == "Pardon, je n'ai pas compris.\n\nVotre métier ?"
    assert [r["label"] for r in reask["replies"]] == ["Design", "Ingénierie"]

    reply(client, product, {"text": "je fais de l'INGENIERIE", "question": question.seq})
    team = ChatEntry.objects.get(contact_id=product.contact_id, step_key="ask_team")
    assert team.text == "Votre équipe ?"
    reply(client, product, {"text": "assistance", "question": team.seq})

    contact = Contact.objects.get(pk=product.contact_id)
    assert (contact.traits["role"], contact.traits["team"]) == ("eng", "Support")
