"""The message step: send one message on a channel, in one of its weighted variants."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from journeys.core.assignment import choose_variant
from journeys.core.decisions import SendMessage
from journeys.core.languages import choose_language
from journeys.core.locale_checks import version_warnings
from journeys.core.locales_format import dump_locales, parse_variant_locales
from journeys.core.problems import Reader, one_of
from journeys.core.spec import VARIANT_FIELDS, JourneySpec, StepSpec, Variant
from journeys.core.steps.base import (
    NO_CHANNELS,
    Channels,
    Move,
    ParseContext,
    StepType,
    Walk,
    quoted,
    step_label,
    step_names,
    when,
)
from journeys.core.steps.form import DraftFacts, FormField


@dataclass(frozen=True, kw_only=True)
class MessageStep(StepSpec):
    type = "message"
    channel: str
    variants: tuple[Variant, ...]
    skip_when_done: bool = False


class Message(StepType[MessageStep]):
    key, spec, order = "message", MessageStep, 10
    label = "Send a message"
    description = "An email, text message, in-app message or webhook, with A/B variants."
    fields = ("channel", "variants", "skip_when_done")
    form = (
        FormField("channel", "Send by", "channel"),
        FormField(
            "variants",
            "Variants (an A/B test when there are two or more)",
            "variants",
            depends_on="channel",
        ),
        FormField(
            "skip_when_done",
            "Skip it when the contact already did what the wait after it waits for",
            "yes_no",
            required=False,
        ),
    )
    # The builder starts it on the first channel, named after it ("Email").
    blank_step = {"variants": [{"name": "A", "weight": 1, "subject": "", "body": ""}]}
    previews = True
    look = "send"
    quiet_trace = frozenset({"message"})

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        channel = reader.text(raw, "channel", path)
        keys = list(ctx.channels) if ctx.channels is not None else []
        if channel is not None and ctx.channels is not None and channel not in keys:
            hint = one_of(channel, keys)
            reader.add(f"{path}.channel", f"There is no channel called “{channel}”.{hint}")
            channel = None
        raw_variants = reader.items(raw, "variants", path)
        if "variants" not in raw or raw["variants"] == []:
            reader.add(f"{path}.variants", "Add at least one variant.")
        if channel is None:
            return None
        variants = [
            _parse_variant(reader, item, f"{path}.variants[{i}]", channel, i, ctx)
            for i, item in enumerate(raw_variants)
        ]
        skip = raw.get("skip_when_done", False)
        if not isinstance(skip, bool):
            reader.add(f"{path}.skip_when_done", "Write true or false.")
        if not raw_variants or None in variants or not isinstance(skip, bool):
            return None
        checked = _check_variants(reader, [v for v in variants if v], path, channel)
        return None if checked is None else checked | {"skip_when_done": skip}

    def dump(self, step: MessageStep) -> dict[str, Any]:
        variants = [_dump_variant(v) for v in step.variants]
        data: dict[str, Any] = {"channel": step.channel, "variants": variants}
        if step.skip_when_done:
            data["skip_when_done"] = True
        return data

    def run(self, step: MessageStep, walk: Walk) -> Move:
        following = walk.spec.following(step.id)
        done = walk.done_before(following) if step.skip_when_done else None
        if done is not None:
            walk.note(
                "skipped",
                f"skipped {step.id}: {done.name} already happened at {when(done.timestamp)}",
                event=done.name,
            )
            return Move("skipped", following)
        variant = choose_variant(walk.state.contact.id, walk.spec.key, step)
        said = f"message {step.id}: {step.channel}, variant {variant.name}"
        if not variant.locales:  # one language: nothing to choose, nothing to explain
            walk.add(SendMessage(step.id, step.channel, variant.name))
            walk.note("message", said)
            return Move("sent", walk.spec.following(step.id))
        locale = walk.state.contact.traits.get("locale")
        chosen = choose_language(str(locale or ""), variant.languages(), walk.spec.language)
        walk.add(SendMessage(step.id, step.channel, variant.name, chosen.code, chosen.reason))
        walk.note("message", f"{said}, {chosen.reason}", language=chosen.code)
        return Move("sent", walk.spec.following(step.id))

    def channel(self, step: MessageStep) -> str:
        return step.channel

    def variants(self, step: MessageStep, channels: Channels = NO_CHANNELS) -> tuple[Variant, ...]:
        return step.variants

    def warnings(self, step: MessageStep, facts: DraftFacts) -> list[str]:
        warning = facts.address_warnings.get(step.channel)
        return ([warning] if warning else []) + version_warnings(step.variants, facts.language)

    def summary(
        self, step: MessageStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        channel = channels.get(step.channel)
        noun = channel.noun if channel is not None else step.channel
        first = step.variants[0]
        text = first.subject or first.body or first.url or ""
        count = f" ({len(step.variants)} variants)" if len(step.variants) > 1 else ""
        then = ""
        if step.next is not None:
            then = f", then go to {step_label(step.next, step_names(journey.steps))}"
        skip = " (skipped when already done)" if step.skip_when_done else ""
        return f"Send {noun}{count}: {quoted(text)}{skip}{then}"


def _parse_variant(
    reader: Reader, raw: Any, path: str, channel_key: str, index: int, ctx: ParseContext
) -> Variant | None:
    data = reader.obj(raw, path)
    if data is None:
        return None
    channel = ctx.channels.get(channel_key) if ctx.channels is not None else None
    before = len(reader.problems)
    reader.only(data, path, ("name", "weight", "locales", *VARIANT_FIELDS))
    required: tuple[str, ...] = ()
    allowed: tuple[str, ...] = VARIANT_FIELDS
    if channel is not None:
        required, allowed = channel.required, channel.required + channel.optional
    for name in VARIANT_FIELDS:
        label = channel.field_label(name) if channel is not None else name
        sent_as = channel.label if channel is not None else channel_key
        if name in required and name not in data:
            reader.add(f"{path}.{name}", f"{sent_as} messages need “{label}”: fill it in.")
        elif name in data and name not in allowed:
            reader.add(f"{path}.{name}", f"{sent_as} messages have no “{label}”: remove it.")
        elif name in data and not isinstance(data[name], str):
            reader.add(f"{path}.{name}", "Write this as text, between quotes.")
    for field_name, message in channel.field_problems(data) if channel is not None else []:
        reader.add(f"{path}.{field_name}", message)
    name = data.get("name", chr(ord("A") + index) if index < 26 else f"V{index + 1}")
    if not isinstance(name, str) or not name.strip():
        reader.add(f"{path}.name", "Give the variant a name.")
    weight = data.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
        reader.add(f"{path}.weight", "Write a whole number, 0 or more (its share of the A/B test).")
    if len(reader.problems) > before:
        return None
    texts = {key: data[key] for key in VARIANT_FIELDS if key in data}

    def check(at: str, fields: dict[str, str]) -> None:
        for problem in ctx.template_checker(channel_key, fields) if ctx.template_checker else []:
            reader.add(f"{at}.{problem.path}" if problem.path else at, problem.message)

    check(path, texts)
    locales = parse_variant_locales(reader, data, path, allowed, ctx.language, check)
    if len(reader.problems) > before:
        return None
    return Variant(name=name, weight=weight, locales=locales, **texts)


def _dump_variant(variant: Variant) -> dict[str, Any]:
    data: dict[str, Any] = {"name": variant.name, "weight": variant.weight} | variant.content()
    if variant.locales:
        data["locales"] = dump_locales(variant.locales)
    return data


def _check_variants(
    reader: Reader, variants: list[Variant], path: str, channel: str
) -> dict[str, Any] | None:
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        if variant.name in seen:
            reader.add(
                f"{path}.variants[{i}].name",
                f"Another variant is already called “{variant.name}”: give this one another name.",
            )
            return None
        seen.add(variant.name)
    if sum(variant.weight for variant in variants) == 0:
        reader.add(
            f"{path}.variants",
            "Every variant's weight is 0, so none can be sent: give one a weight above 0.",
        )
        return None
    return {"channel": channel, "variants": tuple(variants)}


STEP_TYPE = Message()
