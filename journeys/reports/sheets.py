"""Every report table for a spreadsheet: the page's figures as numbers that add up.

Counts are integers, shares are fractions (0.286, formatted as a percentage in .xlsx)
in their own columns, durations are seconds, days are ISO dates; headers are plain
names. The page's tables (journeys.reports.export) say the same figures in words. Pure."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from journeys.reports.breakdown import By, Slice
from journeys.reports.funnel import StepFigures
from journeys.reports.report import DEFERRALS, STATUSES, JourneyReport

Cell = str | int | float | date | None
Sheet = tuple[list[str], list[list[Cell]]]
FRACTION = "fraction"  # a column's kind: xlsx shows it as a percentage
SECONDS = "seconds"


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 6) if whole else None


def funnel_sheet(report: JourneyReport) -> Sheet:
    header = [
        "Step", "Path", "Reached", "Share of entrants", "Still in progress here",
        "Stopped here", "Drop-off", "Finished here", "Median seconds to next step",
        "90th percentile seconds to next step",
    ]  # fmt: skip
    entered = report.funnel.entered
    return header, [_funnel_row(s, entered) for s in report.funnel.steps]


def _funnel_row(step: StepFigures, entered: int) -> list[Cell]:
    return [
        step.name,
        step.place.lane_label or "Everyone",
        step.reached,
        _share(step.reached, entered),
        step.in_progress,
        None if step.is_end else step.stopped,
        None if step.is_end else _share(step.stopped, step.reached),
        step.left if step.is_end else None,
        step.gap_median,
        step.gap_p90,
    ]


def variants_sheet(report: JourneyReport) -> Sheet:
    header = [
        "Step", "Group", "Holdout", "Entered", "Converted", "Conversion rate",
        "Conversion rate, 95 % interval low", "Conversion rate, 95 % interval high",
        "Chance of being best", "Unsubscribe rate", "SMS STOP reply rate",
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for experiment in report.experiments:
        for arm in experiment.arms:
            measured = bool(arm.entered)
            rows.append(
                [
                    experiment.step_name,
                    arm.label,
                    "yes" if arm.holdout else "no",
                    arm.entered,
                    arm.converted,
                    _share(arm.converted, arm.entered),
                    round(arm.low, 6) if measured else None,
                    round(arm.high, 6) if measured else None,
                    None if arm.probability_best is None else round(arm.probability_best, 4),
                    _share(arm.unsubscribed, arm.sent),
                    _share(arm.sms_stops, arm.sent),
                ]
            )
    return header, rows


def deliverability_sheet(report: JourneyReport) -> Sheet:
    reasons = sorted({r for row in report.deliverability for r in row.deferred} | set(DEFERRALS))
    header = [
        "Step",
        "Variant",
        *[s.capitalize() for s in STATUSES],
        *[f"Deferred for {DEFERRALS.get(r, r)}" for r in reasons],
        "SMS STOP replies",
    ]
    rows: list[list[Cell]] = [
        [
            row.step_name,
            row.variant or "Only one version",
            *[row.statuses[s] for s in STATUSES],
            *[row.deferred.get(r, 0) for r in reasons],
            row.sms_stops,
        ]
        for row in report.deliverability
    ]
    return header, rows


def cohorts_sheet(report: JourneyReport) -> Sheet:
    header = ["Week starting", "Entered", "Converted", "Conversion rate", "Finished"]
    rows: list[list[Cell]] = [
        [c.week, c.entered, c.converted, _share(c.converted, c.entered), c.completed]
        for c in report.cohorts
    ]
    return header, rows


def breakdown_sheet(
    found: list[Slice],
    reached: dict[str, dict[str, int]],
    steps: list[tuple[str, str]],
    *,
    by: By,
    measure: str,
) -> Sheet:
    """The breakdown and the funnel by the same value in one sheet, from the snapshot the
    page shows (journeys.reports.snapshots)."""
    did = "Converted" if measure == "conversion" else "Finished"
    header = [
        by.words, "Entered", did, f"{measure.capitalize()} rate",
        f"{measure.capitalize()} rate, 95 % interval low",
        f"{measure.capitalize()} rate, 95 % interval high",
        *[f"Share who reached {name}" for _, name in steps],
    ]  # fmt: skip
    rows: list[list[Cell]] = []
    for one in found:
        low, high = one.interval
        reach = reached.get(one.label, {})
        rows.append(
            [one.label, one.entered, one.count, _share(one.count, one.entered),
             round(low, 6), round(high, 6),
             *[_share(reach.get(key, 0), one.entered) for key, _ in steps]]
        )  # fmt: skip
    return header, rows


SHEETS: dict[str, Callable[[JourneyReport], Sheet]] = {
    "funnel": funnel_sheet,
    "variants": variants_sheet,
    "deliverability": deliverability_sheet,
    "cohorts": cohorts_sheet,
}


def column_kind(name: str) -> str:
    """How a column reads in a spreadsheet: fractions as percentages, seconds as numbers."""
    lowered = name.lower()
    if "seconds" in lowered:
        return SECONDS
    words = ("share", "rate", "drop-off", "chance", "interval")
    return FRACTION if any(word in lowered for word in words) else ""
