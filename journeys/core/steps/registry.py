"""The registry of step types: the one place that maps a type's key to its StepType.

Everything outside journeys/core/steps/ reaches a step type through here (`type_of(step)`),
never by naming its class. journeys.core.steps imports every module of the package and
registers the `STEP_TYPE` each one defines; tests register their own with `registered`.
"""

from __future__ import annotations

from collections.abc import Iterator
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


def set_builder(key: str, builder: object) -> None:
    """Hang the builder's form and card for a step type on it (journeys.builder does this)."""
    STEP_TYPES[key].builder = builder
