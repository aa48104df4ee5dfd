"""People answer the bot in sentences, in English and French: each reader finds the answer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from journeys.core.answers import read_choice, read_email, read_name, read_number, read_yes_no

NAMES = [
    ("Alex", "Alex", True),
    ("ALEX", "Alex", True),
    ("alex", "Alex", True),
    ("hi, I'm Alex", "Alex", True),
    ("Hi! I'm Alex.", "Alex", True),
    ("hey there, my name is Alex", "Alex", True),
    ("my name's Alex Martin", "Alex Martin", True),
    ("I am Alex and I work in design", "Alex", True),
    ("Alex here", "Alex", True),
    ("it's Sam", "Sam", True),
    ("call me Sam please", "Sam", True),
    ("you can call me Jo", "Jo", True),
    ("Jean-Luc", "Jean-Luc", True),
    ("d'Artagnan", "d'Artagnan", True),
    ("McDonald", "McDonald", True),
    ("je m'appelle Zoé", "Zoé", True),
    ("Je m’appelle Zoé", "Zoé", True),
    ("bonjour, moi c'est Zoé", "Zoé", True),
    ("Salut ! Je suis Zoé et je travaille chez Acme", "Zoé", True),
    ("mon prénom est Élodie", "Élodie", True),
    ("appelez-moi Léa", "Léa", True),
    ("ZOÉ", "Zoé", True),
    ("Zoé ici", "Zoé", True),
    ("Ada Lovelace Byron King", "Ada Lovelace Byron", False),
]
NOT_NAMES = ["", "   ", "hi", "hello!", "bonjour", "123", "yes", "what?", "my name is", "@@@"]


@pytest.mark.parametrize(("said", "name", "sure"), NAMES)
def test_a_name_is_found_in_what_people_say(said, name, sure):
    assert read_name(said) is not None
    assert (read_name(said).value, read_name(said).sure) == (name, sure)


@pytest.mark.parametrize("said", NOT_NAMES)
def test_words_that_are_not_a_name_are_not_taken_for_one(said):
    assert read_name(said) is None


YES_NO = [
    ("yes", True), ("Yes!", True), ("yep", True), ("sure", True), ("ok", True),
    ("yes please", True), ("that's right", True), ("yeah that's it", True), ("👍", True),
    ("oui", True), ("Oui !", True), ("ouais", True), ("d'accord", True), ("bien sûr", True),
    ("c'est ça", True), ("exactement", True),
    ("no", False), ("No.", False), ("nope", False), ("not now", False), ("no thanks", False),
    ("non", False), ("Non merci", False), ("pas maintenant", False), ("pas du tout", False),
]  # fmt: skip


@pytest.mark.parametrize(("said", "answer"), YES_NO)
def test_yes_and_no_in_english_and_french(said, answer):
    assert read_yes_no(said) is not None
    assert read_yes_no(said).value is answer


@pytest.mark.parametrize("said", ["maybe", "peut-être", "what do you mean", "", "Alex"])
def test_neither_yes_nor_no(said):
    assert read_yes_no(said) is None


@pytest.mark.parametrize(
    ("said", "address"),
    [
        ("ada@example.com", "ada@example.com"),
        ("Ada@Example.COM", "ada@example.com"),
        ("my email is ada@example.com, thanks", "ada@example.com"),
        ("c'est zoe.martin@exemple.fr.", "zoe.martin@exemple.fr"),
        ("<ada@example.com>", "ada@example.com"),
    ],
)
def test_an_email_address_is_found_in_a_sentence(said, address):
    assert read_email(said).value == address


@pytest.mark.parametrize(
    "said", ["ada at example dot com", "ada@", "a@b.com or c@d.com", "no email", ""]
)
def test_no_single_email_address(said):
    assert read_email(said) is None


@pytest.mark.parametrize(
    ("said", "number"),
    [
        ("12", 12), ("about 12 people", 12), ("+3", 3), ("-4", -4), ("1,200", 1200),
        ("1 200", 1200), ("3,5", 3.5), ("3.5", 3.5), ("twelve", 12), ("douze", 12),
        ("environ vingt", 20), ("environ dix", 10), ("0", 0),
    ],
)  # fmt: skip
def test_a_number_is_found_in_what_people_say(said, number):
    assert read_number(said).value == number


@pytest.mark.parametrize("said", ["between 10 and 20", "lots", "", "beaucoup"])
def test_no_single_number(said):
    assert read_number(said) is None


OPTIONS = ["Product", "Design", "Engineering", "Something else"]


@pytest.mark.parametrize(
    ("said", "choice", "sure"),
    [
        ("Design", "Design", True),
        ("design", "Design", True),
        ("2", "Design", True),
        ("I mostly do design", "Design", True),
        ("engineering, mostly backend", "Engineering", True),
        ("eng", "Engineering", False),
        ("something else", "Something else", True),
    ],
)
def test_a_choice_by_its_number_its_words_or_in_a_sentence(said, choice, sure):
    reading = read_choice(said, OPTIONS)
    assert (reading.value, reading.sure) == (choice, sure)


def test_accents_do_not_matter_in_a_french_choice():
    options = ["Produit", "Design", "Ingénierie", "Autre chose"]
    assert read_choice("je fais de l'ingenierie", options).value == "Ingénierie"
    assert read_choice("AUTRE CHOSE", options).value == "Autre chose"


@pytest.mark.parametrize("said", ["", "design and product", "marketing", "9"])
def test_no_choice_when_none_or_several_match(said):
    assert read_choice(said, OPTIONS) is None


@given(st.text(max_size=300))
def test_no_reader_fails_on_any_text(text):
    for reader in (read_name, read_yes_no, read_email, read_number):
        reading = reader(text)
        assert reading is None or reading.value is not None
    assert read_choice(text, OPTIONS) is None or read_choice(text, OPTIONS).value in OPTIONS
