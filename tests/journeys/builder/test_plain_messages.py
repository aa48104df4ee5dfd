"""Every message staff can meet in the builder says what to do, in plain words: the
checks (the format's own problems, placed in the builder's words), the cards of
unfinished steps, the editors' form errors and the template problems. Each message is
made by real bad input, and none may speak parser ("expression", "non-empty", a field
path such as `steps[0]`, a Python repr)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from channels.registry import channel_facts, validate_content
from channels.rendering import MessageContent, RenderError, render_field, template_problems
from journeys.builder.cards import step_cards
from journeys.builder.checks import draft_checks
from journeys.builder.forms.conditions import ConditionFormSet
from journeys.builder.forms.journeys import ImportForm, NewJourneyForm
from journeys.builder.forms.step_editor import editor_for
from journeys.builder.forms.trigger import TriggerForm
from journeys.builder.forms.variants import VariantFormSet
from journeys.builder.typed import parsed_steps
from journeys.core.format import MAX_STEP_NAME
from journeys.run.journeys import journey_parse
from tests.journeys.core.helpers import journey_doc
from tests.journeys.engine.test_spec_validation import CASES, EXIT, cond, edit, email, sms

PARSER_WORDS = {
    "expression": r"\bexpressions?\b",
    "non-empty": r"\bnon-empty\b",
    "token": r"\btokens?\b",
    "literal": r"\bliterals?\b",
    "parse": r"\bpars(?:e|ed|er|es|ing)\b",
    "schema": r"\bschemas?\b",
    "null": r"\bnull\b",
    "None": r"\bNone\b",
    "dict": r"\bdict\w*",
    "list": r"\blists?\b",
    "str": r"\bstr\b",
    "string": r"\bstrings?\b",
    "int": r"\bint\b",
    "regex": r"\bregex\w*",
    "object": r"\bobjects?\b",
    "ISO 8601": r"\bISO\b",
    "op": r"\bops?\b",
    "slug": r"\bslug\b",
    "field path": r"\w\[\d+\]|\b[a-z_]+\.\d+\b|\b[a-z_]+\.[a-z_]+(?:\.[a-z_]+)*\b(?!/)",
    "Python repr": r"(?<![\w’])'[^'\s]+'(?![\w’])|\b\w*Error\b|\bTrue\b|\bFalse\b|<\w+ object",
}
_TEMPLATES = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")
_ADDRESSES = re.compile(r"\S+@\S+|https?://\S*|/static/\S*")


def parser_words(message: str) -> list[str]:
    """The parser words a message uses; Liquid a staff member would type, web and email
    addresses are left out."""
    text = _ADDRESSES.sub(" ", _TEMPLATES.sub(" ", message))
    return [name for name, pattern in PARSER_WORDS.items() if re.search(pattern, text)]


def test_the_test_catches_parser_words():
    assert parser_words("“Wait”, event: Must be a non-empty string") == ["non-empty", "string"]
    assert parser_words("steps[0].event: missing") == ["field path"]
    assert parser_words("variants.0.body: missing") == ["field path"]
    assert parser_words("expected end of expression, found or") == ["expression"]
    assert parser_words("reentry: must be 'never', not None") == ["None", "Python repr"]
    assert parser_words('Add a fallback, for example {{ contact.name | default: "there" }}.') == []
    assert parser_words("Write an address like ada@example.com or https://x.example/a.b") == []


# --- the checks: the format's problems in the builder's words ----------------------------


def _with(step: dict[str, Any]) -> dict[str, Any]:
    return journey_doc([step, EXIT])


def _ask(**fields: Any) -> dict[str, Any]:
    return _with({"id": "q", "type": "ask", "channel": "in_app", "question": "Why?"} | fields)


def _until(**fields: Any) -> dict[str, Any]:
    return _with({"id": "d", "type": "delay", "until": {"time": "09:00"} | fields})


def _app(**fields: Any) -> dict[str, Any]:
    variant = {"body": "Hi"} | fields
    return {"id": "m", "type": "message", "channel": "in_app", "variants": [variant]}


MORE_DOCUMENTS = {
    "description not text": edit(lambda d: d.update(description=5)),
    "trigger missing": edit(lambda d: d.pop("trigger")),
    "trigger not settings": edit(lambda d: d.update(trigger="Signed Up")),
    "trigger event blank": edit(lambda d: d["trigger"].update(event="")),
    "trigger filters not in brackets": edit(lambda d: d["trigger"].update(where="plan")),
    "goal within not text": edit(lambda d: d["goal"].update(within=5)),
    "goal within zero": edit(lambda d: d["goal"].update(within="PT0S")),
    "exits not in brackets": edit(lambda d: d.update(exit={"event": "Gone"})),
    "bot not settings": edit(lambda d: d.update(bot="Nova")),
    "bot name too long": edit(lambda d: d.update(bot={"name": "N" * 100})),
    "bot avatar": edit(lambda d: d.update(bot={"name": "Nova", "avatar": "ftp://x"})),
    "format missing": edit(lambda d: d.pop("format")),
    "steps missing": edit(lambda d: d.pop("steps")),
    "step not settings": edit(lambda d: d["steps"].insert(0, "hello")),
    "step type missing": edit(lambda d: d["steps"][0].pop("type")),
    "two conditions in one": cond(trait="plan", property="plan", op="exists"),
    "op missing": cond(trait="plan"),
    "within in months": cond(event="Uploaded File", op="performed", within="P1M"),
    "variant not settings": _with(sms() | {"variants": ["hi"]}),
    "variant name blank": _with(sms(name=" ")),
    "variant weight not a number": _with(sms(weight="half")),
    "skip when done": _with(sms() | {"skip_when_done": "yes"}),
    "email subject empty": _with(email(subject="")),
    "body empty": _with(sms(body=" ")),
    "template unknown filter": _with(sms(body="Hi {{ contact.name | shout }}")),
    "template or": _with(sms(body="Hi {{ contact.name or 'there' }}")),
    "template unclosed if": _with(sms(body="{% if contact.vip %}Hi")),
    "template stray endif": _with(sms(body="Hi{% endif %}")),
    "template include": _with(sms(body="{% include 'footer' %}")),
    "template unknown tag": _with(sms(body="{% shout %}")),
    "template unclosed output": _with(sms(body="Hi {{ contact.name")),
    "template tag without place": _with(sms(body="{% for x %}{% endfor %}")),
    "template too long": _with(sms(body="x" * 100_001)),
    "button label without link": _with(_app(cta="Open")),
    "button label too long": _with(_app(url="/home", cta="O" * 80)),
    "in-app link": _with(_app(url="javascript:alert(1)")),
    "webhook body": _with(
        {
            "id": "m",
            "type": "message",
            "channel": "webhook",
            "variants": [{"url": "https://127.0.0.1/hook", "body": '{"a": {{ x }'}],
        }
    ),
    "push link": _with(
        {
            "id": "m",
            "type": "message",
            "channel": "push",
            "variants": [{"subject": "Hi", "body": "Hello", "url": "ftp://x"}],
        }
    ),
    "delay not settings": _with({"id": "d", "type": "delay", "until": "9am"}),
    "delay duration not text": _with({"id": "d", "type": "delay", "duration": 3}),
    "delay weekdays not in brackets": _until(weekdays="mon"),
    "wait timeout in years": _with(
        {"id": "w", "type": "wait_for_event", "event": "X", "timeout": "P1Y"}
    ),
    "split path not settings": _with({"id": "s", "type": "split", "paths": [5, 6]}),
    "split path without next": _with({"id": "s", "type": "split", "paths": [{"percent": 50}] * 2}),
    "branch conditions missing": _with({"id": "b", "type": "branch"}),
    "trait names blank": _with({"id": "u", "type": "update_contact", "set": {" ": 1}}),
    "notify text blank": _with({"id": "n", "type": "notify", "to": "a@example.com", "text": ""}),
    "ask channel": _ask(channel="email"),
    "ask both": _ask(replies=[{"label": "A"}], answer={"type": "text"}),
    "ask neither": _ask(),
    "ask answer type": _ask(answer={"type": "colour"}),
    "ask answer length": _ask(answer={"max_length": 0}),
    "ask one choice": _ask(answer={"type": "choice", "choices": ["a"]}),
    "ask choices on text": _ask(answer={"type": "text", "choices": ["a", "b"]}),
    "ask answer not settings": _ask(answer="text"),
    "ask no replies": _ask(replies=[]),
    "ask reply label long": _ask(replies=[{"label": "L" * 80}]),
    "ask reply value": _ask(replies=[{"label": "A", "value": ""}]),
    "ask reply twice": _ask(replies=[{"label": "A"}, {"label": "a"}]),
    "ask reply not settings": _ask(replies=["A"]),
    "ask trait": _ask(replies=[{"label": "A"}], trait="team size"),
    "ask timeout path": _ask(replies=[{"label": "A"}], on_timeout="end"),
    "ask question template": _ask(replies=[{"label": "A"}], question="{{ contact.name | shout }}"),
}
DOCUMENTS = {f"spec case {i + 1}": doc for i, (doc, _expected) in enumerate(CASES)}
DOCUMENTS |= MORE_DOCUMENTS


def check_messages(document: dict[str, Any]) -> list[str]:
    """What the validation panel and the cards of unfinished steps say about a draft."""
    checks = draft_checks(
        document,
        parse=lambda data: journey_parse(data=data),
        steps=parsed_steps(document, channel_facts()),
        recent_events=["Signed Up", "Invited Teammate", "Account Deleted", "Uploaded File"],
        known_events=["Signed Up"],
    )
    errors = [f"{check.where}: {check.what}" for check in checks if check.is_error]
    cards = step_cards(document).values()
    return errors + [card.unfinished for card in cards if card.unfinished]


@pytest.mark.parametrize("name", list(DOCUMENTS))
def test_every_check_says_what_to_do_in_plain_words(name):
    messages = check_messages(DOCUMENTS[name])
    assert messages, f"{name}: the bad journey made no message"
    flagged = {message: parser_words(message) for message in messages if parser_words(message)}
    assert flagged == {}, "\n".join(messages)


# --- the editors' forms ------------------------------------------------------------------


def _step_form(type_key: str, **data: str) -> Callable[[], list[str]]:
    def errors() -> list[str]:
        form = editor_for(type_key).form({"name": "Step"} | data)
        form.is_valid()
        return [error for errors in form.errors.values() for error in errors]

    return errors


def _formset(
    formset_class: Any, prefix: str, rows: list[dict[str, str]]
) -> Callable[[], list[str]]:
    def errors() -> list[str]:
        data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
        for index, row in enumerate(rows):
            data |= {f"{prefix}-{index}-{key}": value for key, value in row.items()}
        formset = formset_class(data, prefix=prefix)
        formset.is_valid()
        found = list(formset.non_form_errors())
        return found + [e for form in formset.forms for es in form.errors.values() for e in es]

    return errors


def _form(
    form_class: Any, data: dict[str, str], files: dict[str, Any] | None = None
) -> Callable[[], list[str]]:
    def errors() -> list[str]:
        form = form_class(data, files or {})
        form.is_valid()
        return [error for errors in form.errors.values() for error in errors]

    return errors


FORMS = {
    "wait in words": _step_form("delay", wait="soon-ish"),
    "wait in months": _step_form("delay", wait="3 months"),
    "timeout zero": _step_form("wait_for_event", event="X", timeout="0 days"),
    "wait two times": _step_form("delay", wait="Monday 9:00 10:00"),
    "wait hour": _step_form("delay", wait="25:00"),
    "wait pm hour": _step_form("delay", wait="14pm"),
    "wait day": _step_form("delay", wait="Funday 9:00"),
    "wait fraction": _step_form("delay", wait="1.5 seconds"),
    "wait empty": _step_form("delay", wait=""),
    "timeout in words": _step_form("wait_for_event", event="X", timeout="later"),
    "percents words": _step_form("split", paths="a, b"),
    "percents one": _step_form("split", paths="100"),
    "assignments": _step_form("update_contact", set="plan"),
    "assignments blank": _step_form("update_contact", set=" "),
    "step name too long": _step_form("exit", name="N" * (MAX_STEP_NAME + 1)),
    "channel": _step_form("message", channel="pigeon"),
    "condition event op": _formset(
        ConditionFormSet, "where", [{"kind": "event", "name": "X", "op": "eq", "value": "1"}]
    ),
    "condition trait performed": _formset(
        ConditionFormSet, "where", [{"kind": "trait", "name": "plan", "op": "performed"}]
    ),
    "condition value": _formset(
        ConditionFormSet, "where", [{"kind": "trait", "name": "plan", "op": "eq"}]
    ),
    "condition name": _formset(
        ConditionFormSet, "where", [{"kind": "trait", "name": "", "op": "exists"}]
    ),
    "variant name and weight": _formset(VariantFormSet, "variant", [{"name": "", "weight": "-1"}]),
    "trigger": _form(TriggerForm, {"event": "", "goal_within": "later"}),
    "new journey": _form(NewJourneyForm, {"name": "", "start": "nowhere"}),
    "import nothing": _form(ImportForm, {"text": ""}),
    "import not json": _form(ImportForm, {"text": "{'key': 'welcome'}"}),
    "import not a journey": _form(ImportForm, {"text": "[1, 2]"}),
    "import not text": _form(
        ImportForm, {}, {"file": SimpleUploadedFile("j.json", b"\xff\xfe\x00")}
    ),
}


@pytest.mark.parametrize("name", list(FORMS))
def test_every_form_error_says_what_to_do_in_plain_words(name):
    messages = FORMS[name]()
    assert messages, f"{name}: the bad input made no message"
    flagged = {message: parser_words(message) for message in messages if parser_words(message)}
    assert flagged == {}, "\n".join(messages)


# --- template problems, when checked and when written for a person ---------------------------

CONTEXT = {"contact": {"first_name": "Ada"}, "event": {"when": "99999999999999"}, "journey": {}}
RENDERED = {
    "missing value": "Hi {{ contact.nickname }}",
    "filter on odd data": "Since {{ event.when | date: '%Y' }}",
    "long loop": "{% for i in (1..5000) %}{% for j in (1..5000) %}x{% endfor %}{% endfor %}",
    "huge range": "{% for i in (1..100000000) %}{% endfor %}",
    "too much output": "{% for i in (1..1000) %}{{ 'x' | append: '{}' }}{% endfor %}".replace(
        "{}", "x" * 200
    ),
    "deep nesting": "{% if a %}" * 200 + "x" + "{% endif %}" * 200,
    "stored too much": "{% capture big %}{% for i in (1..999) %}"
    + "y" * 100
    + "{% endfor %}{% endcapture %}",
}


@pytest.mark.parametrize("channel", list(channel_facts()))
def test_an_empty_message_says_what_to_write(channel):
    messages = [p.message for p in validate_content(channel, MessageContent())]
    assert messages
    assert {message: parser_words(message) for message in messages if parser_words(message)} == {}


def render_messages(source: str) -> list[str]:
    try:
        render_field("body", source, CONTEXT, html=False)
    except RenderError as exc:
        return [exc.problem.message]
    return []


@pytest.mark.parametrize("name", list(RENDERED))
def test_every_template_problem_says_what_to_do_in_plain_words(name):
    messages = [p.message for p in template_problems("body", RENDERED[name])]
    messages += render_messages(RENDERED[name])
    assert messages, f"{name}: the bad template made no message"
    flagged = {message: parser_words(message) for message in messages if parser_words(message)}
    assert flagged == {}, "\n".join(messages)
