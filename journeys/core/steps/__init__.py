"""Step types: one module each (message, delay, wait_for_event, ...), behind one registry.

Importing this package registers every module in it that defines `STEP_TYPE`: adding a
step type is adding a module here. The registry's API is re-exported from
journeys.core.steps.registry. See docs/architecture.md.
"""

from __future__ import annotations

import importlib
import pkgutil

from journeys.core.steps.base import Move, ParseContext, Stay, StepType, Walk
from journeys.core.steps.registry import (
    STEP_TYPES,
    end_type,
    palette,
    register,
    registered,
    step_type,
    type_of,
    unregister,
    use,
)

__all__ = [
    "STEP_TYPES",
    "Move",
    "ParseContext",
    "StepType",
    "Stay",
    "Walk",
    "palette",
    "register",
    "end_type",
    "registered",
    "step_type",
    "type_of",
    "unregister",
    "use",
]

_NOT_STEP_TYPES = frozenset({"base", "form", "registry"})

for _module in pkgutil.iter_modules(__path__):
    if _module.name not in _NOT_STEP_TYPES and not _module.name.startswith("_"):
        _found = importlib.import_module(f"{__name__}.{_module.name}")
        if hasattr(_found, "STEP_TYPE"):  # a step type's helper module defines none
            register(_found.STEP_TYPE)
