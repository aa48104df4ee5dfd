"""What the builder asks the step registry: the palette and how a type reads in words."""

from __future__ import annotations

from journeys.core.steps import STEP_TYPES


def type_label(key: str) -> str:
    """The palette label of a step type ("Send a message"); a readable stand-in if unknown."""
    step_type = STEP_TYPES.get(key)
    label = getattr(step_type, "label", "")
    if label:
        return str(label)
    return key.replace("_", " ").capitalize() if key else "Unknown step"
