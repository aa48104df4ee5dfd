"""The registry of step types: the one place that maps a type's key to its StepType.

Everything outside journeys/core/steps/ reaches a step type through here (`type_of(step)`),
never by naming its class. journeys.core.steps imports every module of the package and
registers the `STEP_TYPE` each one defines (the default without Django); the app then
installs exactly the types its STEPWISE_STEP_TYPES setting lists (`use`), which is how
test settings add a test-only type. Tests may also register one for a block (`registered`).
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from journeys.core.spec import StepSpec
from journeys.core.steps.base import StepType

STEP_TYPES: dict[str, StepType[Any]] = {}


def register(step_type: StepType[Any]) -> StepType[Any]:
    """Add a step type, kept in palette order; refuses a duplicate or mismatched key."""
    key = getattr(step_type, "key", "")
    spec = getattr(step_type, "spec", None)
    if not key or key in STEP_TYPES or spec is None or spec.type != key:
        raise ValueError(f"step type {key!r} is missing, registered twice or mismatched")
    for name in ("label", "description"):
        if not getattr(step_type, name, ""):
            raise ValueError(f"step type {key!r} needs a {name} for the builder's palette")
    STEP_TYPES[key] = step_type
    ordered = sorted(STEP_TYPES.values(), key=lambda t: t.order)
    STEP_TYPES.clear()
    STEP_TYPES.update((t.key, t) for t in ordered)
    return step_type


def unregister(key: str) -> None:
    """Remove a step type (tests that registered their own)."""
    STEP_TYPES.pop(key, None)


@contextmanager
def registered(step_type: StepType[Any]) -> Iterator[StepType[Any]]:
    """Register a step type for the duration of a `with` block."""
    register(step_type)
    try:
        yield step_type
    finally:
        unregister(step_type.key)


def step_type(key: str) -> StepType[Any]:
    """The step type with this key; KeyError if there is none."""
    return STEP_TYPES[key]


def type_of(step: StepSpec) -> StepType[Any]:
    """The step type of a parsed step."""
    return STEP_TYPES[step.type]


def palette() -> list[StepType[Any]]:
    """Every step type in palette order, for the builder (label, description, builder)."""
    return list(STEP_TYPES.values())


def end_type() -> StepType[Any]:
    """The type that ends a path (the builder adds one where a path needs an end)."""
    for candidate in STEP_TYPES.values():
        if candidate.ends_journey:
            return candidate
    raise LookupError("no registered step type ends a journey (the exit step is missing)")


def load(path: str) -> StepType[Any]:
    """The step type at a dotted path: a module defining STEP_TYPE, or module.ATTRIBUTE."""
    try:
        module = importlib.import_module(path)
    except ModuleNotFoundError as exc:
        if exc.name != path:
            raise
        module_path, _, name = path.rpartition(".")
        found = getattr(importlib.import_module(module_path), name, None)
    else:
        found = getattr(module, "STEP_TYPE", None)
    if not isinstance(found, StepType):
        raise ValueError(
            f"{path!r} names no step type: give a module that defines STEP_TYPE, "
            "or the dotted path of a step type"
        )
    return found


def use(paths: Iterable[str]) -> None:
    """Make the registry exactly the step types at these dotted paths (the setting); on a
    bad path or a key named twice, say so and leave the registry as it was."""
    found = [load(path) for path in paths]
    before = dict(STEP_TYPES)
    STEP_TYPES.clear()
    try:
        for step_type in found:
            register(step_type)
    except ValueError:
        STEP_TYPES.clear()
        STEP_TYPES.update(before)
        raise
