"""Pure rendering machinery: sandboxed, bounded Liquid, and the values it produces.

Each channel renders its own content with these (channels/<channel>.py `render`);
channels.registry.render_message picks the channel. Used by the worker before sending, by
the builder's preview and by test sends, so what staff preview is what people get.
See docs/channels.md ("Templates").
"""

from __future__ import annotations

import math
import re
import string
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, ClassVar, TextIO
from urllib.parse import urlsplit

from liquid import BoundTemplate, Environment, FalsyStrictUndefined
from liquid.builtin.expressions.primitive import RangeLiteral
from liquid.builtin.output import Output, OutputNode
from liquid.context import RenderContext
from liquid.exceptions import (
    LiquidError,
    LiquidSyntaxError,
    LocalNamespaceLimitError,
    LoopIterationLimitError,
    OutputStreamLimitError,
    ResourceLimitError,
    UndefinedError,
    UnknownFilterError,
)
from liquid.extra.filters._json import JSON
from liquid.stringify import to_liquid_string
from markdown_it import MarkdownIt

from channels.locale_filters import add_locale_filters

TEMPLATE_MAX_CHARS = 20_000
# python-liquid bounds loops but not ranges: `(1..10000000) | join` would build 10 million
# strings. A range may hold at most this many numbers.
RANGE_LIMIT = 10_000


@dataclass(frozen=True)
class MessageContent:
    """What a journey step's variant holds (Liquid text)."""

    subject: str = ""  # email
    preheader: str = ""  # email
    body: str = ""  # email: Markdown; sms/in_app: plain text; webhook: JSON template
    url: str = ""  # webhook: target URL; in_app: the call-to-action link (Liquid)
    cta: str = ""  # in_app: the call-to-action button's label (plain text)
    image: str = ""  # push: the picture's address (Liquid)


@dataclass(frozen=True)
class TemplateProblem:
    field: str
    line: int | None
    message: str


@dataclass(frozen=True)
class SmsSegments:
    encoding: str  # "GSM-7" or "UCS-2"
    characters: int
    segments: int


@dataclass(frozen=True)
class RenderedMessage:
    channel: str
    subject: str = ""
    preheader: str = ""
    text: str = ""  # email plain-text alternative, SMS / in-app text, webhook JSON
    html: str = ""
    url: str = ""  # webhook: where it goes; in_app: the call-to-action link
    image: str = ""  # push: the picture shown in the notification
    sms: SmsSegments | None = None
    problems: tuple[TemplateProblem, ...] = field(default=())


class RenderError(Exception):
    """The content cannot be rendered for this context; `problem` says why in plain words."""

    def __init__(self, problem: TemplateProblem) -> None:
        super().__init__(problem.message)
        self.problem = problem


class _Undefined(FalsyStrictUndefined):
    # Printing a missing value is an error, but `| default:` works and `{% if %}` treats it
    # as false, so "missing trait" never silently prints an empty string.
    force_liquid_default = True


class RangeTooLarge(ResourceLimitError):
    """A range literal with more than RANGE_LIMIT numbers."""


_liquid_make_range = RangeLiteral._make_range


def _bounded_range(self: RangeLiteral, start: Any, stop: Any) -> range:
    numbers = _liquid_make_range(self, start, stop)
    if len(numbers) > RANGE_LIMIT:
        raise RangeTooLarge(f"range of {len(numbers)} numbers", token=None)
    return numbers


RangeLiteral._make_range = _bounded_range  # type: ignore[method-assign]


class _SandboxEnvironment(Environment):
    # Every limit is off by default in python-liquid; these bound one render.
    loop_iteration_limit: ClassVar[int | None] = 1_000
    output_stream_limit: ClassVar[int | None] = 100_000
    local_namespace_limit: ClassVar[int | None] = 20_000


# CommonMark lets a backslash escape any ASCII punctuation, and renders an escaped `<` or
# `&` as text: escaping all of it makes a value plain text in both Markdown and HTML.
_MARKDOWN_SPECIAL = re.compile(f"([{re.escape(string.punctuation)}])")


def markdown_escape(text: str) -> str:
    """Text as Markdown that shows exactly that text: no link, emphasis, heading or tag."""
    # A line break in a value must not start a new block (a list, a heading, a quote).
    flat = text.replace("\r", " ").replace("\n", " ")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", flat)


class _MarkdownOutputNode(OutputNode):
    __slots__ = ()

    def render_to_output(self, context: RenderContext, buffer: TextIO) -> int:
        value = to_liquid_string(self.expression.evaluate(context), autoescape=False)
        return int(buffer.write(markdown_escape(value)))


class _MarkdownOutput(Output):
    node_class = _MarkdownOutputNode


# A message is one template: there is nothing to include, render or extend.
UNSUPPORTED_TAGS = ("include", "render")


def _environment(*, autoescape: bool, markdown: bool = False) -> Environment:
    env = _SandboxEnvironment(undefined=_Undefined, autoescape=autoescape)
    for tag in UNSUPPORTED_TAGS:
        del env.tags[tag]
    env.add_filter("json", JSON())
    add_locale_filters(env)  # date, number: in the contact's language (Babel)
    if markdown:
        env.add_tag(_MarkdownOutput)
    return env


_PLAIN = _environment(autoescape=False)
_HTML = _environment(autoescape=True)
_MARKDOWN = _environment(autoescape=False, markdown=True)
_ENVIRONMENTS = {"plain": _PLAIN, "html": _HTML, "markdown": _MARKDOWN}


@lru_cache(maxsize=512)
def _parse(source: str, autoescape: bool | str) -> BoundTemplate:
    mode = autoescape if isinstance(autoescape, str) else ("html" if autoescape else "plain")
    return _ENVIRONMENTS[mode].from_string(source)


def _line(exc: LiquidError, source: str) -> int | None:
    context = exc.context()
    if context is not None:
        return context[0]
    return source.count("\n") + 1 if source else None


def _explain(exc: LiquidError, source: str) -> str:
    text = str(exc.message)
    if isinstance(exc, UndefinedError):
        name = text.removesuffix(" is undefined")
        return (
            f"{_whose(name)} has no “{name.rsplit('.', 1)[-1]}”. Add a fallback, for example "
            f'{{{{ {name} | default: "there" }}}}.'
        )
    if isinstance(exc, UnknownFilterError):
        return _no_filter(text.removeprefix("unknown filter ").strip("'\""))
    if isinstance(exc, LoopIterationLimitError):
        return "A loop repeats too many times (more than 1,000 rounds): make it shorter."
    if isinstance(exc, OutputStreamLimitError):
        return "The message would be far too long (more than 100,000 characters): shorten it."
    if isinstance(exc, LocalNamespaceLimitError):
        return "The template stores too much text with assign or capture: store less."
    if isinstance(exc, RangeTooLarge):
        return f"A range is too long (more than {RANGE_LIMIT:,} numbers): use a shorter one."
    if isinstance(exc, ResourceLimitError):
        return "The template is too complicated: put fewer blocks inside one another."
    if isinstance(exc, LiquidSyntaxError) and text.startswith("unexpected tag '"):
        return _unexpected_tag(text.split("'")[1])
    if isinstance(exc, LiquidSyntaxError) and text.startswith("expected tag end"):
        tag = text.split()[2].strip(",").removeprefix("end")
        return f"A {{% {tag} %}} block is never closed: add {{% end{tag} %}}."
    return _unreadable(exc, source)


def _whose(name: str) -> str:
    """Who lacks a value: "contact.plan" → "This person", "event.title" → "The event"."""
    owner = {"contact": "This person", "event": "The event", "journey": "The journey"}
    return owner.get(name.split(".", 1)[0], "This message")


def _no_filter(name: str) -> str:
    return f"There is no filter called “{name}”: check its spelling, or remove it."


_TAG_START = re.compile(r"\{\{|\{%")


def _unreadable(exc: LiquidError, source: str) -> str:
    """A template that does not read, quoting the piece around the fault and how such a
    piece is written (Liquid's own words speak of tokens and expressions)."""
    token = getattr(exc, "token", None)
    at = getattr(token, "start_index", -1)
    if not isinstance(at, int) or not 0 <= at <= len(source):
        return (
            "Part of this text can't be read: check that each {{ … }} and {% … %} is "
            'complete, like {{ contact.first_name | default: "there" }}.'
        )
    starts = [match for match in _TAG_START.finditer(source, 0, at + 2)]
    start = starts[-1].start() if starts else at
    closing = "%}" if source.startswith("{%", start) else "}}"
    end = source.find(closing, at)
    piece = source[start : end + 2 if end >= 0 else len(source)].strip()
    if len(piece) > 80:
        piece = piece[:79] + "…"
    if closing == "}}":
        how = (
            "Write a value as {{ contact.first_name }}, with a fallback as "
            '{{ contact.first_name | default: "there" }}'
        )
        if end < 0:
            how = "Close it with }}"
    else:
        how = (
            'Write a tag as in {% if contact.plan == "pro" %}…{% endif %}'
            if end >= 0
            else "Close it with %}"
        )
    return f"“{piece}” can't be read. {how}."


def _unexpected_tag(tag: str) -> str:
    if tag in (*UNSUPPORTED_TAGS, "extends", "block"):
        return (
            f"{{% {tag} %}} can't be used in a message: a message is one template, with "
            "nothing to include or extend. Write the text here instead."
        )
    if tag.startswith("end"):
        return f"{{% {tag} %}} closes a block that was never opened: remove it."
    return f"Messages don't understand {{% {tag} %}}: check its spelling, or remove it."


def _problem(field_name: str, exc: LiquidError, source: str) -> TemplateProblem:
    return TemplateProblem(field=field_name, line=_line(exc, source), message=_explain(exc, source))


def template_problems(field_name: str, source: str) -> list[TemplateProblem]:
    """What stops one Liquid field from being published: too long, unreadable, unknown
    filters; in words staff understand."""
    if len(source) > TEMPLATE_MAX_CHARS:
        message = f"The {field_name} is longer than {TEMPLATE_MAX_CHARS:,} characters: shorten it."
        return [TemplateProblem(field_name, None, message)]
    try:
        template = _parse(source, False)
        return _unknown_filters(field_name, template, source)
    except LiquidError as exc:
        return [_problem(field_name, exc, source)]


def _unknown_filters(
    field_name: str, template: BoundTemplate, source: str
) -> list[TemplateProblem]:
    return [
        TemplateProblem(
            field_name,
            source.count("\n", 0, spans[0].index) + 1,
            _no_filter(name),
        )
        for name, spans in template.analyze().filters.items()
        if name not in _PLAIN.filters
    ]


def is_http_url(url: str) -> bool:
    """An absolute http(s) URL with a host."""
    parts = urlsplit(url.strip())
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def render_field(
    field_name: str, source: str, context: Mapping[str, Any], *, html: bool | str
) -> str:
    """One Liquid field rendered; raises RenderError for every failure.

    `html` True HTML-escapes values; "markdown" escapes them for Markdown and HTML."""
    if len(source) > TEMPLATE_MAX_CHARS:
        message = f"The {field_name} is longer than {TEMPLATE_MAX_CHARS:,} characters: shorten it."
        raise RenderError(TemplateProblem(field_name, None, message))
    try:
        return _parse(source, html).render(**context)
    except LiquidError as exc:
        raise RenderError(_problem(field_name, exc, source)) from exc
    except Exception as exc:  # noqa: BLE001 - filters raise anything on odd data
        # (a `date` of "99999999999999", a huge number): a render failure like any other.
        message = (
            f"Part of the {field_name} can't be worked out for this person: check the "
            "filters it uses on their values, or add a fallback."
        )
        raise RenderError(TemplateProblem(field_name, None, message)) from exc


_markdown = threading.local()


def render_markdown_html(field_name: str, source: str, context: Mapping[str, Any]) -> str:
    """A Markdown field as HTML (not yet cleaned): values escaped for Markdown and HTML,
    converted by markdown-it (CommonMark), whose time is linear in its input."""
    text = render_field(field_name, source, context, html="markdown")
    converter = getattr(_markdown, "converter", None)
    if converter is None:
        converter = _markdown.converter = MarkdownIt("commonmark", {"html": True})
    return str(converter.render(text))


def liquid_literal(text: str) -> str:
    """Liquid source that prints exactly `text` (a person's own words, never a template):
    raw blocks, with the one word that could close one printed as a string."""
    parts = re.split(r"(endraw)", text)
    return "".join(
        "{{ 'endraw' }}" if part == "endraw" else "{% raw %}" + part + "{% endraw %}"
        for part in parts
        if part
    )


def template_context(
    *,
    contact: Mapping[str, Any],
    event: Mapping[str, Any],
    journey: Mapping[str, Any],
    unsubscribe_url: str,
    events: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The variables templates see; traits and event properties are also reachable at the
    top. `events`: the events in reach by name (journeys.core.scope)."""
    traits = contact.get("traits") or {}
    properties = event.get("properties") or {}
    return {
        "contact": {**traits, **contact},
        "event": {**properties, **event},
        "events": dict(events or {}),
        "journey": dict(journey),
        "unsubscribe_url": unsubscribe_url,
    }


# GSM 03.38 basic set; the extension set costs two septets each.
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")


def sms_segments(text: str) -> SmsSegments:
    """How many SMS segments a text takes: GSM-7 160/153 per part, otherwise UCS-2 70/67."""
    if all(char in _GSM_BASIC or char in _GSM_EXTENDED for char in text):
        septets = sum(2 if char in _GSM_EXTENDED else 1 for char in text)
        count = 1 if septets <= 160 else math.ceil(septets / 153)
        return SmsSegments(encoding="GSM-7", characters=septets, segments=count)
    units = len(text.encode("utf-16-le")) // 2
    count = 1 if units <= 70 else math.ceil(units / 67)
    return SmsSegments(encoding="UCS-2", characters=units, segments=count)
