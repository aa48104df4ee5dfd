"""Reading and writing "stepwise.journey/1" documents: parse_journey and dump_journey.

Every problem is collected (not just the first) with a path and a plain sentence. The
journey's own fields are read here; each step is read by its type (journeys.core.steps).
See docs/journey-format.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from journeys.core.conditions import Condition, dump_condition, parse_conditions
from journeys.core.durations import format_duration, parse_duration
from journeys.core.languages import DEFAULT_LANGUAGE
from journeys.core.locales_format import parse_default_language
from journeys.core.problems import Reader, SpecError, TemplateChecker, one_of, suggest
from journeys.core.spec import (
    FORMAT,
    KEY_PATTERN,
    REENTRY_RULES,
    Bot,
    ExitRule,
    Goal,
    JourneySpec,
    StepSpec,
    Trigger,
)
from journeys.core.steps import STEP_TYPES, ParseContext, type_of
from journeys.core.steps.base import Channels

_ROOT_FIELDS = (
    "format",
    "key",
    "name",
    "description",
    "trigger",
    "audience",
    "goal",
    "exit",
    "reentry",
    "bot",
    "language",
    "steps",
)
BOT_NAME_MAX = 80
_STEP_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_STEP_NAME = 120


def parse_journey(
    data: Mapping[str, Any],
    *,
    template_checker: TemplateChecker | None = None,
    channels: Channels | None = None,
) -> JourneySpec:
    """Validate a "stepwise.journey/1" document; raise SpecError listing every problem.

    With `channels` (the registry's, passed by the layers above) each message is checked
    against its channel's fields; without, only the document's shape is."""
    reader = Reader()
    root = reader.obj(data, "journey")
    if root is None:
        raise SpecError(reader.problems)
    reader.only(root, "", _ROOT_FIELDS)
    _check_format(reader, root)
    key = _parse_key(reader, root)
    name = reader.text(root, "name", "")
    description = root.get("description", "")
    if not isinstance(description, str):
        reader.add("description", "Write the description as text, between quotes.")
    trigger = _parse_trigger(reader, root.get("trigger"))
    audience = parse_conditions(reader, reader.items(root, "audience", ""), "audience")
    goal = _parse_goal(reader, root["goal"]) if "goal" in root else None
    exits = _parse_exits(reader, reader.items(root, "exit", ""))
    reentry = root.get("reentry", "never")
    if reentry not in REENTRY_RULES:
        reader.add(
            "reentry",
            f"Write “never” or “after_exit” (people may come back after they leave), "
            f"not “{reentry}”.",
        )
    bot = _parse_bot(reader, root["bot"]) if "bot" in root else None
    language = parse_default_language(reader, root)
    steps = _parse_steps(reader, root, ParseContext(template_checker, channels, language))
    if reader.problems:
        raise SpecError(reader.problems)
    assert key is not None
    assert name is not None
    assert trigger is not None
    return JourneySpec(
        key=key,
        name=name,
        trigger=trigger,
        steps=steps,
        audience=audience,
        goal=goal,
        exits=exits,
        reentry=reentry,
        description=description,
        bot=bot,
        language=language,
    )


def _parse_bot(reader: Reader, raw: Any) -> Bot | None:
    """`{"name": "Nova", "avatar": "/static/nova.svg"}`: who speaks in the in-app chat."""
    data = reader.obj(raw, "bot")
    if data is None:
        return None
    reader.only(data, "bot", ("name", "avatar"))
    name = reader.text(data, "name", "bot")
    if name is not None and len(name) > BOT_NAME_MAX:
        reader.add("bot.name", f"Shorten the name to {BOT_NAME_MAX} characters or fewer.")
        return None
    avatar = data.get("avatar", "")
    if not isinstance(avatar, str) or not (
        avatar == "" or avatar.startswith(("https://", "http://", "/"))
    ):
        reader.add(
            "bot.avatar", "Give an image's address (https://…) or a path like /static/bot.svg."
        )
        return None
    return Bot(name=name, avatar=avatar) if name is not None else None


def _check_format(reader: Reader, root: Mapping[str, Any]) -> None:
    if "format" not in root:
        reader.add("format", f"Add the format line: “format”: “{FORMAT}”.")
    elif root["format"] != FORMAT:
        reader.add(
            "format", f"Stepwise cannot read “{root['format']}” files: write “{FORMAT}” here."
        )


def _parse_key(reader: Reader, root: Mapping[str, Any]) -> str | None:
    key = reader.text(root, "key", "")
    if key is not None and (not KEY_PATTERN.match(key) or len(key) > 100):
        reader.add(
            "key",
            f"“{key}” cannot be a short name: use lower-case letters and digits, joined "
            "by - or _ (like “trial-ending”).",
        )
    return key


def _parse_event_rule(reader: Reader, raw: Any, path: str, extra: Sequence[str] = ()) -> Any:
    data = reader.obj(raw, path)
    if data is None:
        return None, (), None
    reader.only(data, path, ("event", "where", *extra))
    event = reader.text(data, "event", path)
    where = parse_conditions(
        reader, reader.items(data, "where", path), f"{path}.where", kinds=("property",)
    )
    return event, where, data


def _parse_trigger(reader: Reader, raw: Any) -> Trigger | None:
    if raw is None:
        reader.add("trigger", "Choose the event that lets people in.")
        return None
    event, where, _ = _parse_event_rule(reader, raw, "trigger")
    return Trigger(event, where) if event is not None else None


def _parse_goal(reader: Reader, raw: Any) -> Goal | None:
    event, where, data = _parse_event_rule(reader, raw, "goal", ("within",))
    within = None
    if data is not None and "within" in data:
        try:
            within = parse_duration(data["within"])
        except ValueError as exc:
            reader.add("goal.within", str(exc))
    return Goal(event, where, within) if event is not None else None


def _parse_exits(reader: Reader, values: Sequence[Any]) -> tuple[ExitRule, ...]:
    rules = []
    for i, raw in enumerate(values):
        event, where, _ = _parse_event_rule(reader, raw, f"exit[{i}]")
        if event is not None:
            rules.append(ExitRule(event, where))
    return tuple(rules)


def _parse_steps(
    reader: Reader, root: Mapping[str, Any], ctx: ParseContext
) -> tuple[StepSpec, ...]:
    raw_steps = reader.items(root, "steps", "")
    if "steps" not in root or (raw_steps == [] and root["steps"] == []):
        reader.add("steps", "Add at least one step.")
    steps: list[StepSpec] = []
    first_position: dict[str, int] = {}
    for i, raw in enumerate(raw_steps):
        step = _parse_step(reader, raw, f"steps[{i}]", ctx, first_position)
        if step is not None:
            steps.append(step)
        if step is not None and step.id not in first_position:
            first_position[step.id] = i
    if len(steps) != len(raw_steps) or reader.problems:
        return tuple(steps)
    _check_graph(reader, steps)
    return tuple(steps)


def _parse_step(
    reader: Reader, raw: Any, path: str, ctx: ParseContext, seen: Mapping[str, int]
) -> StepSpec | None:
    data = reader.obj(raw, path)
    if data is None:
        return None
    step_id = reader.text(data, "id", path)
    if step_id is not None and not _STEP_ID.match(step_id):
        reader.add(
            f"{path}.id",
            f"“{step_id}” cannot name a step: use only letters, digits, - and _ "
            "(like “say_hello”).",
        )
        step_id = None
    elif step_id is not None and step_id in seen:
        reader.add(
            f"{path}.id",
            f"Step {seen[step_id] + 1} is already called “{step_id}”: give this one another name.",
        )
    type_name = reader.text(data, "type", path)
    step_type = STEP_TYPES.get(type_name or "")
    if type_name is not None and step_type is None:
        hint = one_of(type_name, list(STEP_TYPES))
        reader.add(f"{path}.type", f"There is no kind of step called “{type_name}”.{hint}")
    if step_type is None:
        return None
    reader.only(
        {k: v for k, v in data.items() if k != "next"},
        path,
        ("id", "type", "name", *step_type.fields),
    )
    name = reader.text(data, "name", path, required=False) or ""
    if len(name) > MAX_STEP_NAME:
        reader.add(f"{path}.name", f"a step's name is at most {MAX_STEP_NAME} characters")
    next_id = None
    if step_type.has_next:
        next_id = reader.text(data, "next", path, required=False)
    elif "next" in data:
        reader.add(
            f"{path}.next",
            step_type.no_next or f"A {step_type.label} step has no next step: remove “next”.",
        )
    kwargs = step_type.parse(reader, data, path, ctx)
    if kwargs is None or step_id is None:
        return None
    step: StepSpec = step_type.spec(id=step_id, next=next_id, name=name, **kwargs)
    return step


def successors(steps: Sequence[StepSpec], position: int) -> list[str]:
    """The ids a step can lead to, the next in the list included when it falls through."""
    step = steps[position]
    step_type = type_of(step)
    found = [target for _, target in step_type.targets(step)]
    if step_type.falls_through(step) and position + 1 < len(steps):
        found.append(steps[position + 1].id)
    return list(dict.fromkeys(found))


def _check_graph(reader: Reader, steps: Sequence[StepSpec]) -> None:
    index = {step.id: i for i, step in enumerate(steps)}
    for i, step in enumerate(steps):
        for field_name, target in type_of(step).targets(step):
            if target not in index:
                hint = suggest(target, list(index)) or " Choose one of the steps."
                reader.add(f"steps[{i}].{field_name}", f"There is no step called “{target}”.{hint}")
    if reader.problems:
        return
    graph = {step.id: successors(steps, i) for i, step in enumerate(steps)}
    reached = _reachable(graph, steps[0].id)
    for i, step in enumerate(steps):
        if step.id not in reached:
            reader.add(
                f"steps[{i}]",
                f"“{step.id}” is never reached: no step leads to it. Connect it or delete it.",
            )
    for cycle in _loops_without_wait(steps, graph):
        path = " → ".join([*cycle, cycle[0]])
        reader.add(
            f"steps[{index[cycle[0]]}]",
            f"These steps go round in a loop with no wait: {path}. Put a delay or a "
            "wait for an event in it.",
        )


def _reachable(graph: Mapping[str, Sequence[str]], start: str) -> set[str]:
    reached, todo = {start}, [start]
    while todo:
        for target in graph[todo.pop()]:
            if target not in reached:
                reached.add(target)
                todo.append(target)
    return reached


def _loops_without_wait(
    steps: Sequence[StepSpec], graph: Mapping[str, Sequence[str]]
) -> list[list[str]]:
    """One cycle for each loop made only of steps that do not wait, in list order."""
    instant = {step.id for step in steps if not type_of(step).waits}
    found: list[list[str]] = []
    covered: set[str] = set()
    for step in steps:
        if step.id in instant and step.id not in covered:
            cycle = _cycle_through(step.id, graph, instant)
            if cycle is not None and not covered.intersection(cycle):
                found.append(cycle)
                covered.update(cycle)
    return found


def _cycle_through(
    start: str, graph: Mapping[str, Sequence[str]], allowed: set[str]
) -> list[str] | None:
    """The shortest path start → ... → start through allowed steps, or None."""
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in graph[node]:
                if target == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return list(reversed(path))
                if target in allowed and target not in parents:
                    parents[target] = node
                    following.append(target)
        frontier = following
    return None


def dump_journey(spec: JourneySpec) -> dict[str, Any]:
    """The JSON-ready document for a spec; parse_journey(dump_journey(s)) == s."""
    data: dict[str, Any] = {"format": FORMAT, "key": spec.key, "name": spec.name}
    if spec.description:
        data["description"] = spec.description
    data["trigger"] = _dump_event_rule(spec.trigger.event, spec.trigger.where)
    if spec.audience:
        data["audience"] = [dump_condition(condition) for condition in spec.audience]
    if spec.goal is not None:
        data["goal"] = _dump_event_rule(spec.goal.event, spec.goal.where)
        if spec.goal.within is not None:
            data["goal"]["within"] = format_duration(spec.goal.within)
    if spec.exits:
        data["exit"] = [_dump_event_rule(rule.event, rule.where) for rule in spec.exits]
    data["reentry"] = spec.reentry
    if spec.bot is not None:
        data["bot"] = {"name": spec.bot.name} | (
            {"avatar": spec.bot.avatar} if spec.bot.avatar else {}
        )
    if spec.language != DEFAULT_LANGUAGE:
        data["language"] = spec.language
    data["steps"] = [_dump_step(step) for step in spec.steps]
    return data


def _dump_event_rule(event: str, where: Sequence[Condition]) -> dict[str, Any]:
    data: dict[str, Any] = {"event": event}
    if where:
        data["where"] = [dump_condition(condition) for condition in where]
    return data


def _dump_step(step: StepSpec) -> dict[str, Any]:
    data: dict[str, Any] = {"id": step.id, "type": step.type}
    if step.name:
        data["name"] = step.name
    data |= type_of(step).dump(step)
    if step.next is not None:
        data["next"] = step.next
    return data
