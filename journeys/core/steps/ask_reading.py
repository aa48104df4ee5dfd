"""Reading a reply to the ask step's question: a good answer, a bad one said back kindly,
or an unsure one the bot checks first ("Alex, is that right?" Yes / No). Pure; the readers
of each kind of answer are in journeys/core/answers.py."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from journeys.core.answers import (
    Reading,
    read_choice,
    read_email,
    read_name,
    read_number,
    read_yes_no,
)
from journeys.core.steps.ask import AskStep
from journeys.core.steps.ask_locales import choice_options, in_language

# A typed answer saved to one of these traits is read as a name (journeys written before
# the "name" kind existed ask for "text").
NAME_TRAITS = ("first_name", "last_name", "name")
CONFIRM = "confirm:"
RETRY = "retry"


@dataclass(frozen=True)
class Answer:
    """A good answer: `value` is what is stored (the quick reply's value), `label` what
    the contact said."""

    value: str | int | float
    label: str


@dataclass(frozen=True)
class Invalid:
    """A reply that does not answer the question; `reason` is said back kindly."""

    reason: str


@dataclass(frozen=True)
class Unsure:
    """A reply that probably answers it: the bot asks "<label>, is that right?" first."""

    value: str | int | float | bool
    label: str

    @property
    def check(self) -> str:
        return f"{self.label}, is that right?"

    def replies(self) -> list[dict[str, str]]:
        """The Yes / No quick replies of the check; Yes carries the answer back."""
        return [
            {"label": "Yes", "value": f"{CONFIRM}{self.label}"},
            {"label": "No", "value": RETRY},
        ]


_INVALID = {
    "name": "I didn't catch a name.",
    "email": "That doesn't look like an email address (like ada@example.com).",
    "number": "I need a number, like 12.",
    "yes_no": "A yes or a no is all I need.",
}


def answer_kind(step: AskStep) -> str:
    """How a typed answer is read: the step's kind, or a name for a name trait."""
    if step.answer_type == "text" and step.trait in NAME_TRAITS:
        return "name"
    return step.answer_type


def read_answer(
    step: AskStep, text: str, value: str | None = None, language: str = ""
) -> Answer | Invalid | Unsure:
    """Check a reply against the question (pure). A quick reply's `value` "confirm:<x>"
    confirms an unsure reading: x is read again and must now be sure. `language`: the
    version the contact was asked in (its labels first, then the default's)."""
    if not language:
        return _read(step, text, value, choice_options(step, ""))
    found = _read(in_language(step, language), text, value, choice_options(step, language))
    if not isinstance(found, Invalid) or value is not None:
        return found
    default = _read(step, text, value, choice_options(step, ""))
    return found if isinstance(default, Invalid) else default


def _read(
    step: AskStep, text: str, value: str | None, choices: list[tuple[str, str]]
) -> Answer | Invalid | Unsure:
    said = " ".join(text.split())
    if value == RETRY:
        return Invalid("Let's try that again.")
    if value is not None and value.startswith(CONFIRM):
        confirmed = _read(step, value.removeprefix(CONFIRM), None, choices)
        return confirmed if not isinstance(confirmed, Unsure) else Answer(confirmed.value, said)
    if step.replies:
        return _pick(
            [(reply.label, reply.value) for reply in step.replies], said, value, quick=True
        )
    if not said:
        return Invalid("I didn't get an answer.")
    if len(said) > step.max_length:
        return Invalid(f"That's a bit long for me: {step.max_length} characters at most.")
    kind = answer_kind(step)
    if kind == "choice":
        return _pick(choices, said, None, quick=False)
    if kind == "text":
        return Answer(said, said)
    reading = _READERS[kind](said)
    if reading is None:
        return Invalid(_INVALID[kind])
    label = _label(kind, reading)
    return Answer(reading.value, label) if reading.sure else Unsure(reading.value, label)


def _label(kind: str, reading: Reading) -> str:
    if kind == "yes_no":
        return "Yes" if reading.value else "No"
    return str(reading.value)


_READERS = {
    "name": read_name,
    "email": read_email,
    "number": read_number,
    "yes_no": read_yes_no,
}


def _pick(
    options: Sequence[tuple[str, str]], said: str, value: str | None, *, quick: bool
) -> Answer | Invalid | Unsure:
    for label, stored in options:
        if value is not None and value == stored:
            return Answer(stored, label)
    wanted = said.casefold().strip(" .!?")
    for index, (label, stored) in enumerate(options, start=1):
        if wanted in (label.casefold(), stored.casefold(), str(index)):
            return Answer(stored, label)
    labels = [label for label, _ in options]
    reading = read_choice(said, labels)
    if reading is not None:
        label, stored = options[labels.index(str(reading.value))]
        return Answer(stored, label) if reading.sure else Unsure(stored, label)
    listed = ", ".join(labels[:-1]) + f" or {labels[-1]}" if len(labels) > 1 else labels[0]
    how = "Press one of the buttons" if quick else "Please answer with one of these"
    return Invalid(f"{how}: {listed}.")


def reask_text(step: AskStep, problem: Invalid, question: str) -> str:
    """The friendly re-ask: what was wrong (or the journey's own words), then the question."""
    first = step.retry or f"Sorry, I didn't catch that. {problem.reason}"
    return f"{first}\n\n{question}"
