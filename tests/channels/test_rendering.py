from __future__ import annotations

import pytest

from channels.delivery.queue import (
    MessageContent,
    TemplateProblem,
    render_preview,
    validate_content,
)
from channels.registry import render_message
from channels.rendering import RenderError, sms_segments, template_context

CONTEXT = template_context(
    contact={"first_name": "Ada", "email": "ada@example.com", "traits": {"plan": "pro"}},
    event={"name": "Uploaded File", "properties": {"filename": "q3.pdf", "size": 3}},
    journey={"name": "Welcome"},
    unsubscribe_url="https://stepwise.example.com/unsubscribe/t/",
)


def sms(body: str) -> str:
    return render_message("sms", MessageContent(body=body), CONTEXT).text


def problem(body: str) -> TemplateProblem:
    with pytest.raises(RenderError) as caught:
        render_message("sms", MessageContent(body=body), CONTEXT)
    return caught.value.problem


def test_contact_event_journey_and_unsubscribe_are_available():
    text = sms(
        "{{ contact.first_name }} {{ contact.plan }} {{ contact.traits.plan }} "
        "{{ event.filename }} {{ event.properties.filename }} {{ event.name }} "
        "{{ journey.name }} {{ unsubscribe_url }}"
    )

    assert text == (
        "Ada pro pro q3.pdf q3.pdf Uploaded File Welcome "
        "https://stepwise.example.com/unsubscribe/t/"
    )


def test_a_missing_trait_with_a_default_uses_the_default():
    assert sms('Hi {{ contact.traits.nickname | default: "there" }}') == "Hi there"


def test_a_missing_trait_without_a_default_is_an_error_in_plain_words():
    assert problem("Hello\nHi {{ contact.traits.nickname }}") == TemplateProblem(
        field="body",
        line=2,
        message="This person has no “nickname”. Add a fallback, "
        'for example {{ contact.traits.nickname | default: "there" }}.',
    )


def test_a_missing_trait_is_false_in_a_condition():
    assert sms("{% if contact.traits.nickname %}nick{% else %}none{% endif %}") == "none"


def test_an_endless_loop_is_stopped():
    assert problem("{% for i in (1..5000) %}x{% endfor %}").message == (
        "A loop repeats too many times (more than 1,000 rounds): make it shorter."
    )


def test_a_huge_range_is_stopped_before_it_is_built():
    assert problem("{% for i in (1..100000000) %}x{% endfor %}").message == (
        "A range is too long (more than 10,000 numbers): use a shorter one."
    )


def test_nested_loops_count_together():
    body = "{% for i in (1..100) %}{% for j in (1..100) %}x{% endfor %}{% endfor %}"

    assert (
        problem(body).message
        == "A loop repeats too many times (more than 1,000 rounds): make it shorter."
    )


def test_huge_output_is_stopped():
    body = "{% for i in (1..999) %}" + "x" * 200 + "{% endfor %}"

    assert problem(body).message == (
        "The message would be far too long (more than 100,000 characters): shorten it."
    )


def test_a_huge_capture_is_stopped():
    body = "{% capture big %}{% for i in (1..999) %}" + "y" * 100 + "{% endfor %}{% endcapture %}"

    assert (
        problem(body).message
        == "The template stores too much text with assign or capture: store less."
    )


@pytest.mark.parametrize(
    "expression",
    ["contact.__class__", "contact.traits.__len__", "event.__dict__", "journey.items"],
)
def test_python_attributes_are_not_reachable(expression):
    name = expression.rsplit(".", 1)[-1]
    assert f" has no “{name}”. Add a fallback" in problem("{{ " + expression + " }}").message


def test_a_template_that_is_too_long_is_refused():
    problems = validate_content("sms", MessageContent(body="x" * 20_001))

    assert problems == [
        TemplateProblem("body", None, "The body is longer than 20,000 characters: shorten it.")
    ]


def test_validate_content_reports_parse_errors_with_line_numbers():
    content = MessageContent(
        subject="Hi {{ contact.first_name",
        body="Line one\n{% if contact.plan %}\nPro\n",
        preheader="{{ contact.first_name | shout }}",
    )

    problems = validate_content("email", content)

    assert [(p.field, p.line) for p in problems] == [("subject", 1), ("preheader", 1), ("body", 4)]
    assert problems[0].message == "“{{ contact.first_name” can't be read. Close it with }}."
    assert problems[1].message == (
        "There is no filter called “shout”: check its spelling, or remove it."
    )
    assert problems[2].message == "A {% if %} block is never closed: add {% endif %}."


def test_validate_content_requires_the_channels_fields():
    assert validate_content("webhook", MessageContent(url="ftp://x")) == [
        TemplateProblem("body", None, "“Text” is empty: write it."),
        TemplateProblem("url", None, "The URL must start with https://."),
    ]


def test_validate_content_rejects_an_unknown_channel():
    assert validate_content("fax", MessageContent(body="x")) == [
        TemplateProblem("channel", None, "There is no channel called “fax”.")
    ]


def test_email_html_is_cleaned_and_escaped():
    content = MessageContent(
        subject="Hi {{ contact.first_name }}",
        body="**{{ contact.traits.plan }}** <script>alert(1)</script> [docs](https://x.test)",
    )
    context = template_context(
        contact={"first_name": "<b>Ada</b>", "traits": {"plan": "<i>pro</i>"}},
        event={},
        journey={},
        unsubscribe_url="https://u.test/x",
    )

    rendered = render_message("email", content, context)

    assert rendered.subject == "Hi <b>Ada</b>"
    assert "<strong>&lt;i&gt;pro&lt;/i&gt;</strong>" in rendered.html
    assert "<script>" not in rendered.html
    assert '<a href="https://x.test" rel="noopener noreferrer">docs</a>' in rendered.html
    assert '<a href="https://u.test/x">Unsubscribe' in rendered.html
    assert rendered.text.startswith("**<i>pro</i>** <script>alert(1)</script>")


def test_the_webhook_body_must_be_json_once_rendered():
    content = MessageContent(body='{"text": "{{ contact.first_name }}"', url="https://h.test/")

    with pytest.raises(RenderError) as caught:
        render_message("webhook", content, CONTEXT)

    assert caught.value.problem.message.startswith("The webhook body is not valid JSON")


def test_the_json_filter_makes_values_safe_inside_json():
    content = MessageContent(body='{"text": {{ contact.first_name | json }}}')
    context = template_context(
        contact={"first_name": 'Ada "the" Countess'}, event={}, journey={}, unsubscribe_url=""
    )

    assert render_message("webhook", content, context).text == '{"text": "Ada \\"the\\" Countess"}'


def test_render_preview_returns_problems_instead_of_raising():
    preview = render_preview(
        "sms", MessageContent(body="Hi {{ contact.nickname }}"), {"contact": {"traits": {}}}
    )

    assert preview.text == ""
    assert [p.field for p in preview.problems] == ["body"]


def test_render_preview_renders_with_a_placeholder_unsubscribe_link():
    preview = render_preview(
        "sms", MessageContent(body="{{ unsubscribe_url }}"), {"contact": {"first_name": "A"}}
    )

    assert preview.text == "https://example.invalid/unsubscribe/preview/"
    assert preview.sms.segments == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a" * 160, ("GSM-7", 160, 1)),
        ("a" * 161, ("GSM-7", 161, 2)),
        ("a" * 306, ("GSM-7", 306, 2)),
        ("a" * 307, ("GSM-7", 307, 3)),
        ("€" * 80, ("GSM-7", 160, 1)),
        ("€" * 81, ("GSM-7", 162, 2)),
        ("é" * 160, ("GSM-7", 160, 1)),
        ("ç" * 70, ("UCS-2", 70, 1)),
        ("ç" * 71, ("UCS-2", 71, 2)),
        ("👋" * 35, ("UCS-2", 70, 1)),
        ("👋" * 36, ("UCS-2", 72, 2)),
    ],
)
def test_sms_segments(text, expected):
    segments = sms_segments(text)

    assert (segments.encoding, segments.characters, segments.segments) == expected
