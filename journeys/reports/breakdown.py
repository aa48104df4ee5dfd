"""A journey's figure split by a contact trait or a property of the trigger event: the
top values, then "Other" and "Not set", each with its count and 95 % interval. Pure; the
rows come from journeys.reports.breakdown_reads."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from journeys.core.steps.base import step_label
from journeys.reports.stats import wilson
from journeys.reports.words import number, percent

TOP = 6  # values shown by name; the rest are "Other"
TRAIT, EVENT = "trait", "event"
OTHER, NOT_SET = "Other", "Not set"
KEY = re.compile(r"[A-Za-z0-9_. -]{1,100}")


@dataclass(frozen=True)
class By:
    """What to split by: a trait of the contact or a property of the trigger event."""

    source: str  # TRAIT or EVENT
    key: str

    @property
    def value(self) -> str:
        """The form's value: "trait:plan"."""
        return f"{self.source}:{self.key}"

    @property
    def words(self) -> str:
        where = "contact trait" if self.source == TRAIT else "trigger event property"
        return f"{step_label(self.key)} ({where})"


def read_by(raw: str) -> By | None:
    """The split asked for ("trait:plan", "event:country"), or None when it is not one."""
    source, _, key = raw.partition(":")
    if source not in (TRAIT, EVENT) or not KEY.fullmatch(key):
        return None
    return By(source, key)


@dataclass(frozen=True)
class Slice:
    label: str
    entered: int
    count: int  # converted (or finished, without a goal)

    @property
    def rate(self) -> float:
        return self.count / self.entered if self.entered else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        return wilson(self.count, self.entered)


def slices(rows: Iterable[tuple[object, int, int]], *, top: int = TOP) -> list[Slice]:
    """(value, entered, count) rows → the `top` values with most entrants (ties by name),
    then "Other" (every smaller value pooled) and "Not set"."""
    named: dict[str, list[int]] = {}
    unset = [0, 0]
    for value, entered, count in rows:
        text = "" if value is None else str(value).strip()
        target = unset if text == "" else named.setdefault(text[:80], [0, 0])
        target[0] += entered
        target[1] += count or 0
    ordered = sorted(named.items(), key=lambda item: (-item[1][0], item[0].casefold()))
    found = [Slice(label, e, c) for label, (e, c) in ordered[:top]]
    rest = ordered[top:]
    if rest:
        found.append(Slice(OTHER, sum(e for _, (e, _) in rest), sum(c for _, (_, c) in rest)))
    if unset[0]:
        found.append(Slice(NOT_SET, unset[0], unset[1]))
    return found


def breakdown_table(
    found: list[Slice], *, by: By, measure: str
) -> tuple[list[str], list[list[str]]]:
    """The page's table: value, entrants, how many converted (or finished), the share and
    its 95 % range."""
    did = "Converted" if measure == "conversion" else "Finished"
    header = [by.words, "Entered", did, measure.capitalize(), "95 % range"]
    rows = []
    for one in found:
        low, high = one.interval
        rows.append(
            [
                one.label,
                number(one.entered),
                number(one.count),
                percent(100 * one.rate),
                f"{percent(100 * low)} – {percent(100 * high)}",
            ]
        )
    return header, rows


def fold_reach(
    found: list[Slice], reach: Iterable[tuple[object, str, int]]
) -> dict[str, dict[str, int]]:
    """(value, step key, entrants who reached it) rows → per label of `found` (values
    folded into "Other" and "Not set" as there), per step key, how many reached it."""
    named = {s.label for s in found} - {OTHER, NOT_SET}
    reached: dict[str, dict[str, int]] = {}
    for value, step, n in reach:
        text = "" if value is None else str(value).strip()[:80]
        label = NOT_SET if text == "" else (text if text in named else OTHER)
        steps = reached.setdefault(label, {})
        steps[step] = steps.get(step, 0) + n
    return reached


def reach_table(
    found: list[Slice],
    reached: dict[str, dict[str, int]],
    steps: list[tuple[str, str]],
    *,
    by: By,
) -> tuple[list[str], list[list[str]]]:
    """The funnel per value: of each value's entrants, the share who reached each step
    (`steps`: (key, name) in the journey's order; `reached` as fold_reach gives it)."""
    header = [by.words, "Entered", *[name for _, name in steps]]
    rows = [
        [
            one.label,
            number(one.entered),
            *[
                percent(100 * reached.get(one.label, {}).get(key, 0) / one.entered)
                if one.entered
                else "—"
                for key, _ in steps
            ],
        ]
        for one in found
    ]
    return header, rows
