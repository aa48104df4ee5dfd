"""The one figure a manager reads first for a journey, and the order of the overview.

With a goal the honest figure is conversion (the goal reached within its window, which
is how conversions are recorded), and with a holdout the lift over doing nothing. Without
a goal there is no conversion to show: the figure is completion (finished the journey),
with a nudge to set a goal. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from journeys.core.spec import Goal
from journeys.reports.words import duration, number, percent

CONVERSION, COMPLETION = "conversion", "completion"


@dataclass(frozen=True)
class Headline:
    measure: str  # CONVERSION or COMPLETION
    entered: int
    count: int  # contacts who converted (or finished, without a goal)
    window: timedelta | None = None
    lift: str = ""  # the holdout's lift in words, when the journey has one

    @property
    def rate(self) -> float:
        return self.count / self.entered if self.entered else 0.0

    @property
    def needs_goal(self) -> bool:
        return self.measure == COMPLETION

    @property
    def figure(self) -> str:
        return percent(100 * self.rate) if self.entered else "—"

    @property
    def what(self) -> str:
        """What the figure counts, in words: "reached the goal within 7 days"."""
        if self.needs_goal:
            return "finished the journey"
        if self.window is None:
            return "reached the goal"
        return f"reached the goal within {duration(self.window.total_seconds())} of entering"

    @property
    def sentence(self) -> str:
        if not self.entered:
            return "Nobody has entered this journey yet."
        name = "Conversion" if self.measure == CONVERSION else "Completion"
        return (
            f"{name}: {self.figure} — {number(self.count)} of {number(self.entered)} "
            f"contacts {self.what}."
        )


def headline(
    *, goal: Goal | None, entered: int, converted: int, completed: int, lift: str = ""
) -> Headline:
    """Conversion when the journey has a goal, else completion."""
    if goal is None:
        return Headline(COMPLETION, entered, completed)
    return Headline(CONVERSION, entered, converted, goal.within, lift)


def ranked[Row: tuple[Any, ...]](rows: Sequence[Row]) -> list[Row]:
    """Rows that start (headline, journey name): journeys with a goal first, best
    conversion first; then those without, best completion first (the two figures do not
    compare); ties by name."""
    return sorted(rows, key=lambda row: (row[0].needs_goal, -row[0].rate, row[1].casefold()))
