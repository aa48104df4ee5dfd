"""The registry of step types: how each one is read, written and linked to the others.

What a step does when an enrollment enters it lives in journeys.engine, keyed by the same
names. Adding a step type means a StepSpec subclass in journeys.spec, a StepType here and
a runner in the engine; the engine refuses to import if one is missing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from journeys.conditions import dump_condition, parse_conditions
from journeys.durations import (
    format_duration,
    parse_duration,
    parse_time_of_day,
    parse_weekdays,
)
from journeys.spec import (
    CHANNELS,
    BranchStep,
    DelayStep,
    ExitStep,
    MessageStep,
    NotifyStep,
    Reader,
    SplitPath,
    SplitStep,
    StepSpec,
    TemplateChecker,
    Until,
    UpdateContactStep,
    Variant,
    WaitForEventStep,
    suggest,
)

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
# Which variant fields each channel requires and allows.
CHANNEL_FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "email": (("subject", "body"), ("preheader",)),
    "sms": (("body",), ()),
    "in_app": (("body",), ("subject", "url")),
    "webhook": (("url", "body"), ()),
}
_VARIANT_TEXT = ("subject", "preheader", "body", "url")


class StepType:
    """Reads and writes one type of step. `fields` are its keys besides id, type and next."""

    key: ClassVar[str]
    spec: ClassVar[type[StepSpec]]
    fields: ClassVar[tuple[str, ...]] = ()
    has_next: ClassVar[bool] = True

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        """The keyword arguments for `spec` besides id and next, or None after a problem."""
        return {}

    def dump(self, step: Any) -> dict[str, Any]:
        return {}

    def targets(self, step: Any) -> list[tuple[str, str]]:
        """(field, step id) for every step this one names explicitly."""
        return [("next", step.next)] if step.next is not None else []

    def falls_through(self, step: Any) -> bool:
        """Whether the next step in the list is one of the possible successors."""
        return self.has_next and step.next is None


class ParseContext:
    def __init__(self, template_checker: TemplateChecker | None) -> None:
        self.template_checker = template_checker


STEP_TYPES: dict[str, StepType] = {}


def register(cls: type[StepType]) -> type[StepType]:
    """Add a step type to the registry; refuses a duplicate or mismatched key."""
    key = getattr(cls, "key", "")
    if not key or key in STEP_TYPES or cls.spec.type != key:
        raise ValueError(f"step type {key!r} is missing, registered twice or mismatched")
    STEP_TYPES[key] = cls()
    return cls


def _duration(reader: Reader, raw: Mapping[str, Any], key: str, path: str) -> Any:
    try:
        return parse_duration(raw[key])
    except ValueError as exc:
        reader.add(f"{path}.{key}", str(exc))
        return None


@register
class Message(StepType):
    key, spec, fields = "message", MessageStep, ("channel", "variants")

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        channel = reader.text(raw, "channel", path)
        if channel is not None and channel not in CHANNELS:
            hint = suggest(channel, CHANNELS) or f" (channels: {', '.join(CHANNELS)})"
            reader.add(f"{path}.channel", f'unknown channel "{channel}"{hint}')
            channel = None
        raw_variants = reader.items(raw, "variants", path)
        if "variants" not in raw:
            reader.add(f"{path}.variants", "missing")
        elif raw["variants"] == []:
            reader.add(f"{path}.variants", "needs at least one variant")
        if channel is None:
            return None
        variants = [
            _parse_variant(reader, item, f"{path}.variants[{i}]", channel, i, ctx)
            for i, item in enumerate(raw_variants)
        ]
        if not raw_variants or None in variants:
            return None
        return _check_variants(reader, [v for v in variants if v], path, channel)

    def dump(self, step: MessageStep) -> dict[str, Any]:
        variants = [{"name": v.name, "weight": v.weight} | v.content() for v in step.variants]
        return {"channel": step.channel, "variants": variants}


def _parse_variant(
    reader: Reader, raw: Any, path: str, channel: str, index: int, ctx: ParseContext
) -> Variant | None:
    data = reader.obj(raw, path)
    if data is None:
        return None
    before = len(reader.problems)
    reader.only(data, path, ("name", "weight", *_VARIANT_TEXT))
    required, optional = CHANNEL_FIELDS[channel]
    for name in _VARIANT_TEXT:
        if name in required and name not in data:
            reader.add(f"{path}.{name}", f"missing ({channel} messages need a {name})")
        elif name in data and name not in required + optional:
            reader.add(f"{path}.{name}", f"{channel} messages have no {name}")
        elif name in data and not isinstance(data[name], str):
            reader.add(f"{path}.{name}", "must be a string")
    if "url" in data and channel == "webhook" and not str(data["url"]).startswith("https://"):
        reader.add(f"{path}.url", "must be an https:// URL")
    name = data.get("name", chr(ord("A") + index) if index < 26 else f"V{index + 1}")
    if not isinstance(name, str) or not name.strip():
        reader.add(f"{path}.name", "must be a non-empty string")
    weight = data.get("weight", 1)
    if isinstance(weight, bool) or not isinstance(weight, int) or weight < 0:
        reader.add(f"{path}.weight", "must be a whole number, 0 or more")
    if len(reader.problems) > before:
        return None
    texts = {key: data[key] for key in _VARIANT_TEXT if key in data}
    if ctx.template_checker is not None:
        for problem in ctx.template_checker(channel, texts):
            reader.add(f"{path}.{problem.path}" if problem.path else path, problem.message)
    return Variant(name=name, weight=weight, **texts)


def _check_variants(
    reader: Reader, variants: list[Variant], path: str, channel: str
) -> dict[str, Any] | None:
    seen: set[str] = set()
    for i, variant in enumerate(variants):
        if variant.name in seen:
            reader.add(f"{path}.variants[{i}].name", f'"{variant.name}" is used twice')
            return None
        seen.add(variant.name)
    if sum(variant.weight for variant in variants) == 0:
        reader.add(f"{path}.variants", "all weights are 0: no variant can be sent")
        return None
    return {"channel": channel, "variants": tuple(variants)}


@register
class Delay(StepType):
    key, spec, fields = "delay", DelayStep, ("duration", "until")

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        if ("duration" in raw) == ("until" in raw):
            reader.add(path, 'needs either "duration" (e.g. P1D) or "until" (a time of day)')
            return None
        if "duration" in raw:
            duration = _duration(reader, raw, "duration", path)
            return None if duration is None else {"duration": duration}
        until = _parse_until(reader, raw["until"], f"{path}.until")
        return None if until is None else {"until": until}

    def dump(self, step: DelayStep) -> dict[str, Any]:
        if step.duration is not None:
            return {"duration": format_duration(step.duration)}
        assert step.until is not None
        until: dict[str, Any] = {"time": step.until.at.strftime("%H:%M")}
        if step.until.weekdays:
            until["weekdays"] = list(step.until.weekdays)
        return {"until": until}


def _parse_until(reader: Reader, raw: Any, path: str) -> Until | None:
    data = reader.obj(raw, path)
    if data is None:
        return None
    reader.only(data, path, ("time", "weekdays"))
    try:
        at = parse_time_of_day(data.get("time", ""))
    except ValueError as exc:
        reader.add(f"{path}.time", str(exc))
        return None
    try:
        weekdays = parse_weekdays(reader.items(data, "weekdays", path))
    except ValueError as exc:
        reader.add(f"{path}.weekdays", str(exc))
        return None
    return Until(at=at, weekdays=weekdays)


@register
class WaitForEvent(StepType):
    key, spec = "wait_for_event", WaitForEventStep
    fields = ("event", "where", "timeout", "on_timeout")

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        event = reader.text(raw, "event", path)
        where = parse_conditions(
            reader, reader.items(raw, "where", path), f"{path}.where", kinds=("property",)
        )
        timeout = _duration(reader, raw, "timeout", path) if "timeout" in raw else None
        on_timeout = reader.text(raw, "on_timeout", path, required=False)
        if on_timeout is not None and "timeout" not in raw:
            reader.add(f"{path}.on_timeout", 'needs a "timeout"')
        if event is None:
            return None
        return {"event": event, "where": where, "timeout": timeout, "on_timeout": on_timeout}

    def dump(self, step: WaitForEventStep) -> dict[str, Any]:
        data: dict[str, Any] = {"event": step.event}
        if step.where:
            data["where"] = [dump_condition(condition) for condition in step.where]
        if step.timeout is not None:
            data["timeout"] = format_duration(step.timeout)
        if step.on_timeout is not None:
            data["on_timeout"] = step.on_timeout
        return data

    def targets(self, step: WaitForEventStep) -> list[tuple[str, str]]:
        found = super().targets(step)
        return found + ([("on_timeout", step.on_timeout)] if step.on_timeout else [])

    def falls_through(self, step: WaitForEventStep) -> bool:
        timeout_falls = step.timeout is not None and step.on_timeout is None
        return step.next is None or timeout_falls


@register
class Branch(StepType):
    key, spec, fields, has_next = (
        "branch",
        BranchStep,
        ("conditions", "match", "then", "else"),
        False,
    )

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        raw_conditions = reader.items(raw, "conditions", path)
        if not raw_conditions:
            reader.add(f"{path}.conditions", "needs at least one condition")
        conditions = parse_conditions(reader, raw_conditions, f"{path}.conditions")
        match = raw.get("match", "all")
        if match not in ("all", "any"):
            reader.add(f"{path}.match", 'must be "all" or "any"')
        then = reader.text(raw, "then", path, required=False)
        else_ = reader.text(raw, "else", path, required=False)
        if len(conditions) != len(raw_conditions) or not raw_conditions:
            return None
        return {"conditions": conditions, "match": match, "then": then, "else_": else_}

    def dump(self, step: BranchStep) -> dict[str, Any]:
        data: dict[str, Any] = {"conditions": [dump_condition(c) for c in step.conditions]}
        if step.match != "all":
            data["match"] = step.match
        if step.then is not None:
            data["then"] = step.then
        if step.else_ is not None:
            data["else"] = step.else_
        return data

    def targets(self, step: BranchStep) -> list[tuple[str, str]]:
        pairs = (("then", step.then), ("else", step.else_))
        return [(name, target) for name, target in pairs if target is not None]

    def falls_through(self, step: BranchStep) -> bool:
        return step.then is None or step.else_ is None


@register
class Split(StepType):
    key, spec, fields, has_next = "split", SplitStep, ("paths",), False

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        raw_paths = reader.items(raw, "paths", path)
        if len(raw_paths) < 2:
            reader.add(f"{path}.paths", "needs at least two paths")
            return None
        paths = []
        for i, item in enumerate(raw_paths):
            where = f"{path}.paths[{i}]"
            data = reader.obj(item, where)
            if data is None:
                continue
            reader.only(data, where, ("percent", "next"))
            percent = data.get("percent")
            target = reader.text(data, "next", where)
            if isinstance(percent, bool) or not isinstance(percent, int) or not 0 < percent < 100:
                reader.add(f"{where}.percent", "must be a whole number from 1 to 99")
            elif target is not None:
                paths.append(SplitPath(percent=percent, next=target))
        if len(paths) != len(raw_paths):
            return None
        total = sum(p.percent for p in paths)
        if total != 100:
            reader.add(f"{path}.paths", f"percents add up to {total}, not 100")
            return None
        return {"paths": tuple(paths)}

    def dump(self, step: SplitStep) -> dict[str, Any]:
        return {"paths": [{"percent": p.percent, "next": p.next} for p in step.paths]}

    def targets(self, step: SplitStep) -> list[tuple[str, str]]:
        return [(f"paths[{i}].next", p.next) for i, p in enumerate(step.paths)]


@register
class UpdateContact(StepType):
    key, spec, fields = "update_contact", UpdateContactStep, ("set",)

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        values = reader.obj(raw.get("set"), f"{path}.set")
        if values is None:
            return None
        if not values:
            reader.add(f"{path}.set", "needs at least one trait")
            return None
        if not all(isinstance(key, str) and key.strip() for key in values):
            reader.add(f"{path}.set", "trait names must be non-empty strings")
            return None
        return {"set": tuple(values.items())}

    def dump(self, step: UpdateContactStep) -> dict[str, Any]:
        return {"set": dict(step.set)}


@register
class Notify(StepType):
    key, spec, fields = "notify", NotifyStep, ("to", "text")

    def parse(self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext) -> Any:
        to = reader.text(raw, "to", path)
        text = reader.text(raw, "text", path)
        if to is not None and not (_EMAIL.match(to) or to.startswith("https://")):
            reader.add(f"{path}.to", "must be an email address or an https:// webhook URL")
            return None
        if to is None or text is None:
            return None
        return {"to": to, "text": text}

    def dump(self, step: NotifyStep) -> dict[str, Any]:
        return {"to": step.to, "text": step.text}


@register
class Exit(StepType):
    key, spec, has_next = "exit", ExitStep, False
