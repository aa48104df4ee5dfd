"""Issue 23 (one message, several languages), the pure side: which version a contact's
locale picks and why, the `locales` of the journey format (checked, written back as read),
the simulator sending the right version, and the ask step asking and understanding French."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta

import pytest

from journeys.core.engine import ContactView
from journeys.core.format import dump_journey, parse_journey
from journeys.core.languages import choose_language, language_name, normal_locale
from journeys.core.problems import SpecError
from journeys.core.simulate import ScriptEvent, simulate
from journeys.core.steps.ask import AskStep
from journeys.core.steps.ask_reading import Answer, Invalid, read_answer
from journeys.core.steps.message import MessageStep

DOC = {
    "format": "stepwise.journey/1", "key": "hello", "name": "Hello",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "hello", "type": "message", "channel": "email",
         "variants": [{"name": "A", "weight": 1, "subject": "Welcome", "body": "Hi there",
                       "locales": {"fr": {"subject": "Bienvenue", "body": "Bonjour"},
                                   "es": {"subject": "Bienvenido"}}}]},
        {"id": "ask_role", "type": "ask", "channel": "in_app", "question": "Your role?",
         "replies": [{"label": "Design", "value": "design"},
                     {"label": "Engineering", "value": "eng"}],
         "trait": "role",
         "locales": {"fr": {"question": "Votre métier ?", "replies": ["Design", "Ingénierie"]}}},
        {"id": "ask_team", "type": "ask", "channel": "in_app", "question": "Your team?",
         "answer": {"type": "choice", "choices": ["Sales", "Support"]}, "trait": "team",
         "locales": {"fr": {"question": "Votre équipe ?", "choices": ["Ventes", "Assistance"]}}},
    ],
}  # fmt: skip


def _doc() -> dict:
    return copy.deepcopy(DOC)


@pytest.mark.parametrize(
    ("locale", "code", "reason"),
    [
        ("fr-CA", "fr", "French (fr) for locale fr-CA"),
        ("fr_ca", "fr", "French (fr) for locale fr-CA"),
        ("FR", "fr", "French (fr) for locale fr"),
        ("de", "", "the default version (English (en)): no German version"),
        ("de-AT", "", "the default version (English (en)): no German version"),
        ("en-GB", "", "the default version (English (en)) for locale en-GB"),
        ("", "", "the default version (English (en)): no locale"),
        ("12", "", "the default version (English (en)): locale '12' is not readable"),
    ],
)
def test_a_locale_picks_its_own_version_then_its_language_then_the_default(locale, code, reason):
    chosen = choose_language(locale, ["fr", "es"], "en")
    assert (chosen.code, chosen.reason) == (code, reason)


def test_an_exact_locale_version_wins_over_its_language():
    chosen = choose_language("fr-CA", ["fr", "fr-CA"], "en")
    assert (chosen.code, chosen.reason) == ("fr-CA", "French (Canada) (fr-CA) for locale fr-CA")


def test_locale_codes_are_written_one_way_and_named_by_babel():
    assert [normal_locale(t) for t in ("pt_br", "zh-hant-tw", "EN", "x", "")] == [
        "pt-BR", "zh-Hant-TW", "en", "", ""
    ]  # fmt: skip
    assert (language_name("de"), language_name("pt-BR"), language_name("qq")) == (
        "German", "Portuguese (Brazil)", ""
    )  # fmt: skip


def test_versions_are_read_and_written_back_as_they_were():
    spec = parse_journey(_doc())
    message = spec.step("hello")
    assert isinstance(message, MessageStep)
    french = message.variants[0].in_language("fr")
    assert (french.subject, french.body) == ("Bienvenue", "Bonjour")
    spanish = message.variants[0].in_language("es")
    assert (spanish.subject, spanish.body) == ("Bienvenido", "Hi there")  # only what differs
    assert (
        dump_journey(spec)["steps"][0]["variants"][0]["locales"]
        == DOC["steps"][0]["variants"][0]["locales"]
    )
    assert dump_journey(spec)["steps"][1]["locales"] == DOC["steps"][1]["locales"]
    assert parse_journey(dump_journey(spec)) == spec


def _problems(doc: dict) -> dict[str, str]:
    with pytest.raises(SpecError) as raised:
        parse_journey(doc)
    return {problem.path: problem.message for problem in raised.value.problems}


def test_a_wrong_language_code_or_field_is_refused_in_plain_words():
    doc = _doc()
    doc["steps"][0]["variants"][0]["locales"] = {
        "klingon": {"subject": "Qapla'"},
        "fr_CA": {"subject": "Allo"},
        "en": {"subject": "Hi"},
        "de": {"subjekt": "Hallo"},
        "it": {},
        "es": {"body": 12},
    }
    problems = _problems(doc)
    at = "steps[0].variants[0].locales"
    assert problems[f"{at}.klingon"].startswith("“klingon” is not a language code")
    assert problems[f"{at}.fr_CA"] == "Write the language as “fr-CA”."
    assert problems[f"{at}.en"] == "English is the default version: write it above."
    assert problems[f"{at}.de.subjekt"] == "There is no such setting here. Did you mean “subject”?"
    assert problems[f"{at}.it"] == "Give at least one text that differs from the default version."
    assert problems[f"{at}.es.body"] == "Write some text here, between quotes."


def test_a_message_has_a_bounded_number_of_languages():
    many = _doc()
    codes = ["fr", "de", "es", "it", "nl", "pt", "sv", "da", "fi", "pl", "cs", "ja", "ko", "zh"]
    codes += ["ar", "he", "hi", "tr", "el", "hu", "ro", "ru", "uk", "bg", "hr", "sk", "sl", "lt"]
    codes += ["lv", "et", "ga", "cy", "eu", "ca", "gl", "is", "mt", "sq", "sr", "mk", "bs"]
    many["steps"][0]["variants"][0]["locales"] = {code: {"body": "x"} for code in codes}
    assert _problems(many)["steps[0].variants[0].locales"] == (
        "Give at most 40 languages besides the default one."
    )


def test_a_question_version_gives_one_label_per_button_in_the_same_order():
    doc = _doc()
    doc["steps"][1]["locales"]["fr"]["replies"] = ["Design"]
    doc["steps"][2]["locales"]["fr"]["replies"] = ["Oui", "Non"]
    problems = _problems(doc)
    assert problems["steps[1].locales.fr.replies"] == (
        "Give 2 labels, in the default version's order, each between quotes."
    )
    assert problems["steps[2].locales.fr.replies"] == (
        "The default version has no buttons: remove these."
    )


def test_the_journeys_default_language_is_its_own_setting():
    doc = _doc() | {"language": "fr"}
    doc["steps"][0]["variants"][0]["locales"] = {"en": {"subject": "Welcome"}}
    del doc["steps"][1]["locales"], doc["steps"][2]["locales"]
    spec = parse_journey(doc)
    assert spec.language == "fr"
    assert dump_journey(spec)["language"] == "fr"
    assert "language" not in dump_journey(parse_journey(_doc()))
    assert _problems(_doc() | {"language": "elvish"})["language"].startswith("“elvish” is not")


def _sent(locale: str, *answers: tuple[str, dict]):
    start = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
    script = [ScriptEvent(name="Signed Up", at=start)]
    script += [
        ScriptEvent(name=name, at=start + timedelta(minutes=i + 1), properties=props)
        for i, (name, props) in enumerate(answers)
    ]
    return simulate(
        parse_journey(_doc()),
        contact=ContactView(id=1, traits={"locale": locale}),
        script=script,
        start=start,
        horizon=timedelta(hours=1),
    )


def test_the_simulator_sends_each_contact_their_version_and_says_why():
    french = _sent("fr-CA", ("Answered ask_role", {"answer": "eng"}))
    assert [(s.step_id, s.language, s.language_reason) for s in french.sent] == [
        ("hello", "fr", "French (fr) for locale fr-CA"),
        ("ask_role", "fr", "French (fr) for locale fr-CA"),
        ("ask_team", "fr", "French (fr) for locale fr-CA"),
    ]
    said = [entry.text for entry in french.entries if entry.kind == "send"]
    assert said[0] == "would send email, variant A, French (fr) for locale fr-CA"
    german = _sent("de")
    assert [(s.language, s.language_reason) for s in german.sent] == [
        ("", "the default version (English (en)): no German version"),
        ("", "the default version (English (en)): no German version"),
    ]


def test_a_french_question_understands_a_french_answer_and_stores_the_same_value():
    spec = parse_journey(_doc())
    role, team = spec.step("ask_role"), spec.step("ask_team")
    assert isinstance(role, AskStep)
    assert isinstance(team, AskStep)
    assert read_answer(role, "INGENIERIE !", None, "fr") == Answer("eng", "Ingénierie")
    assert read_answer(role, "je fais de l'ingénierie", None, "fr") == Answer("eng", "Ingénierie")
    assert read_answer(role, "2", None, "fr") == Answer("eng", "Ingénierie")
    assert read_answer(role, "engineering", None, "fr") == Answer("eng", "Engineering")
    assert read_answer(team, "assistance", None, "fr") == Answer("Support", "Assistance")
    assert read_answer(team, "ventes", None, "fr") == Answer("Sales", "Ventes")
    english = Invalid("Please answer with one of these: Sales or Support.")
    assert read_answer(team, "ventes") == english
