"""The demo in other languages (issue 23, Done-means 6): its sample people include a French
and a German contact, and Acme Notes's bot greets a French user in French (the journey's
`locales`), a German one in English (no German version), through the real worker."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.models import ChatEntry, Message
from journeys.models import Contact, Journey
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from onboarding.sample_data import load_sample_data
from tests.chat.test_ask import track

pytestmark = pytest.mark.django_db(transaction=True)
ACME = json.loads((Path(__file__).parents[2] / "onboarding/acme/journey.json").read_text())


@pytest.fixture
def demo():
    """The demo's sample people (no traffic) and Acme Notes's journey, on one source."""
    source, key = source_create(name="Demo app")
    load_sample_data(write_key=key, traffic=False)
    load_sample_data(write_key=key, traffic=False)  # idempotent
    journey_import(data=ACME, publish=True)
    return source


def greeting(source_id: int, user_id: str) -> tuple[str, ChatEntry]:
    track(source_id, user_id, "Signed Up", product="Acme Notes")
    contact_id = Contact.objects.get(user_id=user_id).pk
    acme = Journey.objects.get(key=ACME["key"])
    hello = Message.objects.filter(contact_id=contact_id, journey_id=acme.pk).order_by("pk")[0]
    return hello.language, ChatEntry.objects.get(message_id=hello.pk)


def test_the_sample_people_include_a_french_and_a_german_contact(demo):
    locales = dict(Contact.objects.values_list("user_id", "locale"))
    assert (locales["marie"], locales["emmy"]) == ("fr-FR", "de-DE")
    assert Contact.objects.filter(user_id="marie").count() == 1


def test_nova_greets_the_french_contact_in_french(demo):
    language, first = greeting(demo.pk, "marie")

    assert language == "fr"
    assert first.text.startswith("Bonjour ! Je suis Nova, le robot d'Acme Notes.")
    asked = ChatEntry.objects.filter(contact__user_id="marie", kind="question").get()
    assert asked.text == "Pour commencer : comment dois-je vous appeler ?"


@pytest.mark.parametrize("user_id", ["emmy", "ada"])
def test_nova_greets_the_others_in_english(demo, user_id):
    language, first = greeting(demo.pk, user_id)

    assert language == ""
    assert first.text.startswith("Hi! I'm Nova, the Acme Notes bot.")
