"""Every report table as header + rows: the page's tables and the CSV downloads share
them, so a download says exactly what the page says. Pure."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from channels.registry import stop_reply_channels
from journeys.reports.csv_cells import safe_cell
from journeys.reports.funnel import StepFigures
from journeys.reports.report import DEFERRALS, STATUSES, JourneyReport
from journeys.reports.words import duration, percent

Table = tuple[list[str], list[list[str]]]


def funnel_table(report: JourneyReport) -> Table:
    entered = report.funnel.entered
    header = [
        "Step", "Path", "Reached", "% of entrants", "Still in progress here", "Stopped here",
        "Drop-off", "Median time to next step", "90 % within",
    ]  # fmt: skip
    rows = [
        [
            s.name,
            s.place.lane_label or "Everyone",
            str(s.reached),
            percent(s.percent_of_entrants) if entered else "—",
            str(s.in_progress),
            f"{s.left} finished" if s.is_end else str(s.stopped),
            _drop_off(s),
            duration(s.gap_median),
            duration(s.gap_p90),
        ]
        for s in report.funnel.steps
    ]
    return header, rows


def _drop_off(step: StepFigures) -> str:
    if step.is_end:
        return "— (the end)"
    if not step.reached:
        return "0"
    return f"{step.stopped} ({percent(100 * step.stopped / step.reached)})"


def variants_table(report: JourneyReport) -> Table:
    header = [
        "Step", "Group", "Entered", "Converted", "Conversion", "95 % credible interval",
        "Chance of being best", "Unsubscribed", "SMS STOP replies",
    ]  # fmt: skip
    rows = []
    for experiment in report.experiments:
        for arm in experiment.arms:
            rows.append(
                [
                    experiment.step_name,
                    arm.label,
                    str(arm.entered),
                    str(arm.converted),
                    percent(100 * arm.rate),
                    f"{percent(100 * arm.low)} – {percent(100 * arm.high)}" if arm.entered else "—",
                    "—" if arm.probability_best is None else percent(100 * arm.probability_best, 0),
                    percent(100 * arm.unsubscribe_rate) if arm.sent else "—",
                    percent(100 * arm.stop_rate)
                    if arm.sent and experiment.channel in stop_reply_channels()
                    else "—",
                ]
            )
    return header, rows


def deliverability_table(report: JourneyReport) -> Table:
    header = [
        "Step",
        "Variant",
        *[s.capitalize() for s in STATUSES],
        "Not sent because",
        "Deferred",
        "SMS STOP replies",
    ]
    rows = []
    for row in report.deliverability:
        deferred = ", ".join(
            f"{n} for {DEFERRALS.get(r, r)}" for r, n in sorted(row.deferred.items())
        )
        rows.append(
            [
                row.step_name,
                f"Variant {row.variant}" if row.variant else "Only one version",
                *[str(row.statuses[s]) for s in STATUSES],
                ", ".join(f"{n} {why}" for why, n in sorted(row.cancelled.items())) or "—",
                deferred or "0",
                str(row.sms_stops),
            ]
        )
    return header, rows


def cohorts_table(report: JourneyReport) -> Table:
    header = ["Week starting", "Entered", "Converted", "Conversion"]
    rows = [
        [f"{c.week.day} {c.week:%b %Y}", str(c.entered), str(c.converted), percent(100 * c.rate)]
        for c in report.cohorts
    ]
    return header, rows


TABLES: dict[str, tuple[str, Callable[[JourneyReport], Table]]] = {
    "funnel": ("Funnel", funnel_table),
    "variants": ("A/B and holdout results", variants_table),
    "deliverability": ("Message outcomes", deliverability_table),
    "cohorts": ("Weekly cohorts", cohorts_table),
}


def to_csv(header: list[str], rows: Iterable[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(_safe(header))
    writer.writerows(_safe(row) for row in rows)
    return out.getvalue()


def to_csv_rows(rows: Iterable[list[str]]) -> str:
    """Rows only (no header), for streaming a long table in pieces."""
    out = io.StringIO()
    csv.writer(out).writerows(_safe(row) for row in rows)
    return out.getvalue()


def _safe(row: list[str]) -> list[str]:
    return [safe_cell(cell) for cell in row]
