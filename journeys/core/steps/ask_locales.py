"""The ask step in other languages: `"locales": {"fr": {"question": …, "replies": [labels],
"choices": [...], "retry": …}}` holds what differs from the default version. Reply labels
and choices come in the default's order: the value stored stays the default's, so a trait
reads the same whoever answered in which language. Pure. See docs/languages.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from journeys.core.languages import choose_language
from journeys.core.locales_format import parse_versions
from journeys.core.problems import Reader
from journeys.core.spec import Variant
from journeys.core.steps.base import ParseContext

if TYPE_CHECKING:  # ask.py reads its versions with this module
    from journeys.core.steps.ask import AskStep, QuickReply

REPLY_LABEL_MAX = 40
FIELDS = ("question", "replies", "choices", "retry")
# How to answer by text message, per language: "Reply 1 for Design, 2 for Engineering."
_SMS_WORDS = {"en": ("Reply", "for"), "fr": ("Répondez", "pour"), "de": ("Antworten Sie", "für")}


@dataclass(frozen=True)
class AskVersion:
    """The question in one language; empty fields are the default version's."""

    code: str
    question: str | None = None
    labels: tuple[str, ...] = ()  # the quick replies' labels, in the default's order
    choices: tuple[str, ...] = ()  # a choice answer's options, in the default's order
    retry: str | None = None

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        if self.question is not None:
            data["question"] = self.question
        if self.labels:
            data["replies"] = list(self.labels)
        if self.choices:
            data["choices"] = list(self.choices)
        if self.retry is not None:
            data["retry"] = self.retry
        return data


def parse_ask_locales(
    reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext, answer: Mapping[str, Any]
) -> tuple[AskVersion, ...]:
    """The versions of a question; `answer` is the parsed default (its replies, choices)."""
    before = len(reader.problems)
    found = []
    for code, data in parse_versions(reader, raw, path, FIELDS, ctx.language).items():
        at = f"{path}.locales.{code}"
        question = _text(reader, data, "question", at)
        if question is not None and ctx.template_checker is not None:
            for problem in ctx.template_checker(str(raw.get("channel")), {"body": question}):
                reader.add(f"{at}.question", problem.message)
        labels = _labels(reader, data, "replies", at, answer.get("replies", ()))
        default_choices = answer.get("choices", ())
        choices = _labels(reader, data, "choices", at, default_choices)
        retry = _text(reader, data, "retry", at)
        found.append(AskVersion(code, question, labels, choices, retry))
    return tuple(found) if len(reader.problems) == before else ()


def _text(reader: Reader, data: Mapping[str, Any], key: str, at: str) -> str | None:
    return reader.text(data, key, at, required=False) if key in data else None


def _labels(
    reader: Reader, data: Mapping[str, Any], key: str, at: str, default: Sequence[Any]
) -> tuple[str, ...]:
    if key not in data:
        return ()
    items = reader.items(data, key, at)
    if not default:
        what = "buttons" if key == "replies" else "choices"
        reader.add(f"{at}.{key}", f"The default version has no {what}: remove these.")
    elif len(items) != len(default) or not all(isinstance(i, str) and i.strip() for i in items):
        reader.add(
            f"{at}.{key}",
            f"Give {len(default)} labels, in the default version's order, each between quotes.",
        )
    elif key == "replies" and any(len(label) > REPLY_LABEL_MAX for label in items):
        reader.add(f"{at}.{key}", f"Shorten each label to {REPLY_LABEL_MAX} characters or fewer.")
    else:
        return tuple(items)
    return ()


def in_language(step: AskStep, code: str) -> AskStep:
    """The question as a contact reading `code` gets it: its texts, its labels; the values
    stored stay the default's. An unknown code: the default version."""
    version = next((v for v in step.locales if v.code == code), None)
    if version is None:
        return step
    replies = step.replies
    if version.labels:
        replies = tuple(
            replace(reply, label=label)
            for reply, label in zip(replies, version.labels, strict=True)
        )
    return replace(
        step,
        question=version.question or step.question,
        replies=replies,
        retry=version.retry or step.retry,
        locales=(),
    )


def ask_language(step: AskStep, locale: str, default: str) -> tuple[str, str]:
    """(code, reason) of the version a contact with `locale` gets; ("", "") with no versions."""
    if not step.locales:
        return "", ""
    chosen = choose_language(locale, [v.code for v in step.locales], default)
    return chosen.code, chosen.reason


def choice_options(step: AskStep, code: str) -> list[tuple[str, str]]:
    """A choice answer's (label said, value stored) pairs in the language `code`."""
    version = next((v for v in step.locales if v.code == code), None)
    labels = version.choices if version is not None and version.choices else step.choices
    return list(zip(labels, step.choices, strict=True))


def sms_options(replies: Sequence[QuickReply], code: str) -> str:
    """How to answer a question with quick replies by text message, in the language."""
    verb, word = _SMS_WORDS.get(code.split("-")[0], _SMS_WORDS["en"])
    labels = [f"{index} {word} {reply.label}" for index, reply in enumerate(replies, 1)]
    return f"{verb} " + ", ".join(labels) + "." if labels else ""


def question_variant(step: AskStep, body_for: Callable[[AskStep, str], str]) -> Variant:
    """The question as a message variant, with a version per language; `body_for(step,
    code)` writes one version's body."""
    locales = tuple(
        (v.code, (("body", body_for(in_language(step, v.code), v.code)),)) for v in step.locales
    )
    return Variant(name="A", body=body_for(step, ""), locales=locales)


def dump_ask_locales(step: AskStep) -> dict[str, Any]:
    return {version.code: version.as_data() for version in step.locales}
