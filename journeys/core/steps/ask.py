"""The ask step: the bot asks one question on a channel the contact can answer on (the
chat, a text message) and waits for the answer.

The answer is either a quick reply (a label the contact presses, with the value stored) or
typed text of a kind (text, name, email, number, yes/no, one of a list) within a length
limit. A reply is read by `read_answer` (journeys/core/steps/ask_reading.py, pure;
journeys.core.answers finds the answer in a sentence: "hi, I'm Alex" is the name Alex);
when the reading is unsure the bot checks
("Alex, is that right?" Yes / No) before it saves anything. A good one is saved to the
step's trait and arrives as the event `Answered <step id>` (properties: answer, label),
which moves the journey on and which branches, goals and later templates can use. A bad
one gets a friendly re-ask (journeys.bot.asks). No answer within `timeout` takes `on_timeout`.

The document's form is in docs/journey-format.md. Which channels take answers is each
channel's own fact (`replies`: "chat" or "text"), handed in by the layers above.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from journeys.core.conditions import EventView
from journeys.core.decisions import SendMessage, Wait
from journeys.core.durations import duration_words, format_duration
from journeys.core.problems import Reader
from journeys.core.spec import JourneySpec, StepSpec, Variant
from journeys.core.steps.ask_locales import (
    REPLY_LABEL_MAX,
    AskVersion,
    ask_language,
    dump_ask_locales,
    parse_ask_locales,
    question_variant,
    sms_options,
)
from journeys.core.steps.base import (
    NO_CHANNELS,
    TIMEOUT_PATH_NEEDS_LIMIT,
    Channels,
    Move,
    ParseContext,
    Stay,
    StepType,
    Walk,
    iso_words,
    quoted,
    read_duration,
    step_label,
    step_names,
    wait_ways,
    when,
)
from journeys.core.steps.form import FormField, Timing

ANSWER_TYPES = ("text", "name", "email", "number", "yes_no", "choice")
MAX_REPLIES = 10
DEFAULT_MAX_LENGTH = 200
MAX_LENGTH_LIMIT = 1000
ANSWERED = "Answered "
REPLIES_HELP = "One per line. Empty: the contact types an answer."
_TRAIT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


@dataclass(frozen=True)
class QuickReply:
    label: str
    value: str
    # Pressing it in the chat widget also asks the browser to allow notifications.
    allow_notifications: bool = False

    def as_data(self) -> dict[str, Any]:
        data: dict[str, Any] = {"label": self.label, "value": self.value}
        if self.allow_notifications:
            data["allow_notifications"] = True
        return data


@dataclass(frozen=True, kw_only=True)
class AskStep(StepSpec):
    type = "ask"
    channel: str
    question: str
    replies: tuple[QuickReply, ...] = ()
    answer_type: str = "text"
    choices: tuple[str, ...] = ()
    max_length: int = DEFAULT_MAX_LENGTH
    trait: str | None = None
    retry: str | None = None
    timeout: timedelta | None = None
    on_timeout: str | None = None
    locales: tuple[AskVersion, ...] = ()  # the question in other languages

    @property
    def answered_event(self) -> str:
        return ANSWERED + self.id


class Ask(StepType[AskStep]):
    key, spec, order, waits = "ask", AskStep, 15, True
    chat_question = True
    look = "wait"
    label = "Ask a question"
    description = "The bot asks something (quick replies or typed), saves the answer, waits."
    fields = tuple("channel question replies answer trait retry timeout on_timeout locales".split())
    form = (
        FormField("channel", "Ask by", "channel", replies=True),
        FormField("question", "Question", "long_text", template=True),
        FormField("replies", "Quick replies", "lines", required=False, help=REPLIES_HELP),
        FormField("trait", "Save the answer as the trait", required=False, max_length=100),
        FormField(
            "timeout",
            "Wait for an answer at most",
            "duration",
            help="For example “1 day”.",
            required=False,
        ),
    )
    blank_step = {
        "id": "Ask",
        "question": "What brings you here?",
        "replies": [{"label": "Work", "value": "work"}, {"label": "Fun", "value": "fun"}],
        "trait": "reason",
    }

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        before = len(reader.problems)
        channel = reader.text(raw, "channel", path)
        answerable = _answerable(ctx.channels)
        if channel is not None and ctx.channels is not None and channel not in answerable:
            names = " or ".join(facts.label for facts in answerable.values())
            reader.add(
                f"{path}.channel",
                f"Pick a channel people can answer on: {names}.",
            )
        question = reader.text(raw, "question", path)
        if (
            question is not None
            and channel is not None
            and channel in answerable
            and (ctx.template_checker)
        ):
            for problem in ctx.template_checker(channel, {"body": question}):
                reader.add(f"{path}.question", problem.message)
        answer = _parse_replies_or_answer(reader, raw, path)
        trait = reader.text(raw, "trait", path, required=False)
        if trait is not None and not _TRAIT.match(trait):
            reader.add(
                f"{path}.trait",
                "Name the trait with letters, digits and _ only (like “team_size”).",
            )
        retry = reader.text(raw, "retry", path, required=False)
        timeout = read_duration(reader, raw, "timeout", path) if "timeout" in raw else None
        on_timeout = reader.text(raw, "on_timeout", path, required=False)
        if on_timeout is not None and "timeout" not in raw:
            reader.add(f"{path}.on_timeout", TIMEOUT_PATH_NEEDS_LIMIT)
        if len(reader.problems) > before or answer is None:
            return None
        locales = parse_ask_locales(reader, raw, path, ctx, answer)
        if len(reader.problems) > before:
            return None
        return {
            "locales": locales,
            "channel": channel,
            "question": question,
            "trait": trait,
            "retry": retry,
            "timeout": timeout,
            "on_timeout": on_timeout,
            **answer,
        }

    def dump(self, step: AskStep) -> dict[str, Any]:
        data: dict[str, Any] = {"channel": step.channel, "question": step.question}
        if step.replies:
            data["replies"] = [reply.as_data() for reply in step.replies]
        else:
            answer: dict[str, Any] = {"type": step.answer_type}
            if step.max_length != DEFAULT_MAX_LENGTH:
                answer["max_length"] = step.max_length
            if step.choices:
                answer["choices"] = list(step.choices)
            data["answer"] = answer
        for name in ("trait", "retry"):
            if getattr(step, name) is not None:
                data[name] = getattr(step, name)
        if step.timeout is not None:
            data["timeout"] = format_duration(step.timeout)
        if step.on_timeout is not None:
            data["on_timeout"] = step.on_timeout
        return data | ({"locales": dump_ask_locales(step)} if step.locales else {})

    def targets(self, step: AskStep) -> list[tuple[str, str]]:
        found = super().targets(step)
        return found + ([("on_timeout", step.on_timeout)] if step.on_timeout else [])

    def ways_out(self, step: AskStep, journey: JourneySpec) -> list[tuple[str, str | None]]:
        timed = step.timeout is not None
        return wait_ways(
            journey, step, step.answered_event, timed=timed, on_timeout=step.on_timeout
        )

    def falls_through(self, step: AskStep) -> bool:
        return step.next is None or (step.timeout is not None and step.on_timeout is None)

    def run(self, step: AskStep, walk: Walk) -> Move | None:
        locale = str(walk.state.contact.traits.get("locale") or "")
        code, why = ask_language(step, locale, walk.spec.language)
        walk.add(SendMessage(step.id, step.channel, "A", code, why))
        wake = walk.now + step.timeout if step.timeout is not None else None
        walk.add(Wait(step.id, wake, step.answered_event))
        until = f"until {when(wake)}" if wake is not None else "with no timeout"
        said = f"asked {quoted(step.question)}" + (f" ({why})" if why else "")
        walk.note("asked", f"{said}: waiting for the answer {until}")
        return None

    def on_event(self, step: AskStep, walk: Walk, event: EventView) -> Move | Stay | None:
        if event.name != step.answered_event:
            return None
        answer = event.properties.get("answer")
        target = walk.spec.following(step.id)
        walk.note("answered", f"answered {answer!r}: continuing to {target or 'the end'}")
        return Move("answered", target)

    def on_wake(self, step: AskStep, walk: Walk) -> Move:
        target = step.on_timeout or walk.spec.following(step.id)
        waited = format_duration(step.timeout) if step.timeout is not None else "no timeout"
        walk.note("timeout", f"timeout: no answer after {waited}: took {target or 'the end'}")
        return Move("timeout", target)

    def awaits(self, step: AskStep) -> str | None:
        return step.answered_event

    def channel(self, step: AskStep) -> str:
        return step.channel

    def variants(self, step: AskStep, channels: Channels = NO_CHANNELS) -> tuple[Variant, ...]:
        facts = channels.get(step.channel)
        texted = facts is not None and facts.replies == "text" and bool(step.replies)

        def body(version: AskStep, code: str) -> str:  # no buttons in a text: say how
            options = sms_options(version.replies, code) if texted else ""
            return f"{version.question}\n{options}" if options else version.question

        return (question_variant(step, body),)

    # --- the builder ----------------------------------------------------------------

    def form_values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        replies = raw.get("replies")
        items = replies if isinstance(replies, list) else []
        labels = [str(r.get("label", "")) for r in items if isinstance(r, Mapping)]
        return super().form_values(raw) | {"replies": labels}

    def from_form(self, raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key}
        step |= {"channel": values["channel"], "question": values["question"]}
        labels = values.get("replies") or []
        # A button whose label is unchanged keeps its value and what it does.
        before = raw.get("replies")
        items = before if isinstance(before, list) else []
        kept = {str(r.get("label")): dict(r) for r in items if isinstance(r, Mapping)}
        if labels:
            step["replies"] = [
                kept.get(label) or {"label": label, "value": label.lower()} for label in labels
            ]
        else:
            step["answer"] = {"type": "text"}
        for name in ("trait", "timeout"):
            if values.get(name):
                step[name] = values[name]
        for kept_key in ("retry", "locales"):  # not on the form: kept as they were
            if raw.get(kept_key):
                step[kept_key] = raw[kept_key]
        return step

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["next", "on_timeout"] if raw.get("timeout") else ["next"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        if key == "on_timeout":
            return f"No answer within {iso_words(raw.get('timeout'))}"
        return "Once answered"

    def timing(self, step: AskStep, arrival: datetime, zone: ZoneInfo) -> Timing | None:
        return None if step.timeout is None else ("times_out", arrival + step.timeout)

    def summary(self, step: AskStep, journey: JourneySpec, channels: Channels = NO_CHANNELS) -> str:
        if step.replies:
            how = "buttons: " + ", ".join(reply.label for reply in step.replies)
        else:
            how = {
                "text": "typed answer",
                "name": "a name",
                "email": "an email address",
                "number": "a number",
                "yes_no": "yes or no",
            }.get(step.answer_type, "one of " + ", ".join(step.choices))
        saved = f", saved as {step.trait}" if step.trait else ""
        text = f"Ask {quoted(step.question)} ({how}{saved})"
        if step.timeout is not None:
            otherwise = step.on_timeout or journey.following(step.id)
            text += f"; if no answer in {duration_words(step.timeout)}, go to "
            text += step_label(otherwise, step_names(journey.steps))
        return text


def _answerable(channels: Channels | None) -> Channels:
    """The channels a contact can answer a question on (none known: every one)."""
    return {key: facts for key, facts in (channels or {}).items() if facts.replies}


def _parse_replies_or_answer(
    reader: Reader, raw: Mapping[str, Any], path: str
) -> dict[str, Any] | None:
    if ("replies" in raw) == ("answer" in raw):
        reader.add(
            path,
            "Give either buttons to tap (“replies”) or an answer to type (“answer”), not both.",
        )
        return None
    if "replies" in raw:
        replies = _parse_replies(reader, reader.items(raw, "replies", path), f"{path}.replies")
        return None if replies is None else {"replies": replies}
    data = reader.obj(raw["answer"], f"{path}.answer")
    if data is None:
        return None
    where = f"{path}.answer"
    reader.only(data, where, ("type", "max_length", "choices"))
    kind = data.get("type", "text")
    if kind not in ANSWER_TYPES:
        reader.add(f"{where}.type", f"Use one of these kinds of answer: {', '.join(ANSWER_TYPES)}.")
        return None
    limit = data.get("max_length", DEFAULT_MAX_LENGTH)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 0 < limit <= MAX_LENGTH_LIMIT:
        reader.add(f"{where}.max_length", f"Write a whole number from 1 to {MAX_LENGTH_LIMIT}.")
        return None
    choices = reader.items(data, "choices", where)
    if kind == "choice" and (len(choices) < 2 or not all(isinstance(c, str) for c in choices)):
        reader.add(
            f"{where}.choices", "Give at least two answers to choose from, each between quotes."
        )
        return None
    if kind != "choice" and choices:
        reader.add(
            f"{where}.choices", "Only a “choice” answer has choices: remove them, or make it one."
        )
        return None
    return {"answer_type": kind, "max_length": limit, "choices": tuple(choices)}


def _parse_replies(reader: Reader, items: list[Any], path: str) -> tuple[QuickReply, ...] | None:
    if not 0 < len(items) <= MAX_REPLIES:
        reader.add(path, f"Give 1 to {MAX_REPLIES} buttons.")
        return None
    replies: list[QuickReply] = []
    for index, item in enumerate(items):
        where = f"{path}[{index}]"
        data = reader.obj(item, where)
        if data is None:
            return None
        reader.only(data, where, ("label", "value", "allow_notifications"))
        label = reader.text(data, "label", where)
        value = data.get("value", label)
        allow = data.get("allow_notifications", False)
        if not isinstance(allow, bool):
            reader.add(f"{where}.allow_notifications", "Write true or false, without quotes.")
            return None
        if label is None:
            return None
        if len(label) > REPLY_LABEL_MAX:
            reader.add(
                f"{where}.label", f"Shorten the label to {REPLY_LABEL_MAX} characters or fewer."
            )
            return None
        if not isinstance(value, str) or not value or len(value) > 200:
            reader.add(f"{where}.value", "Give the button a value of 1 to 200 characters.")
            return None
        if any(reply.label.casefold() == label.casefold() for reply in replies):
            reader.add(
                f"{where}.label", f"Another button says “{label}”: give this one another label."
            )
            return None
        replies.append(QuickReply(label=label, value=value, allow_notifications=allow))
    return tuple(replies)


STEP_TYPE = Ask()
