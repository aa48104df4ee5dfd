"""A journey's report: the funnel, A/B and holdout results, deliverability and cohorts,
with the sentences a manager reads. Pure: built from counters and outcomes read by
journeys.reports.selectors; rendered by views, the CSV export and the command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from channels.registry import channel_facts
from journeys.core import report_counters as m
from journeys.core.spec import JourneySpec
from journeys.core.steps import type_of
from journeys.core.steps.base import step_label, step_names
from journeys.reports.funnel import Funnel, StepFigures, Totals, build_funnel, histogram
from journeys.reports.headline import COMPLETION, Headline, headline
from journeys.reports.selectors import Outcomes
from journeys.reports.verdicts import Arm, Experiment, judge

STATUSES = (
    "queued", "sent", "delivered", "opened", "clicked", "bounced", "complained",
    "unsubscribed", "failed", "suppressed", "cancelled",
)  # fmt: skip
DEFERRALS = {"quiet_hours": "quiet hours", "frequency_cap": "frequency cap"}


@dataclass
class Deliverability:
    step: str
    step_name: str
    variant: str
    statuses: dict[str, int]
    deferred: dict[str, int]
    sms_stops: int = 0
    cancelled: dict[str, int] = field(default_factory=dict)  # why not sent -> messages


@dataclass
class Cohort:
    week: date
    entered: int
    converted: int
    completed: int = 0

    @property
    def rate(self) -> float:
        return self.converted / self.entered if self.entered else 0.0


@dataclass
class JourneyReport:
    key: str
    name: str
    version: int | None
    funnel: Funnel
    experiments: list[Experiment] = field(default_factory=list)
    deliverability: list[Deliverability] = field(default_factory=list)
    cohorts: list[Cohort] = field(default_factory=list)
    headline: Headline = field(default_factory=lambda: Headline(COMPLETION, 0, 0))


def build_report(
    *,
    key: str,
    name: str,
    version: int | None,
    spec: JourneySpec,
    totals: Totals,
    outcomes: Mapping[tuple[str, str], Outcomes],
    days: Mapping[date, tuple[int, int, int]],
    wait_over: Mapping[str, int] | None = None,
) -> JourneyReport:
    funnel = build_funnel(spec, totals, wait_over)
    report = JourneyReport(key, name, version, funnel)
    report.experiments = [
        e for e in (_experiment(spec, s.id, totals, outcomes) for s in spec.steps) if e
    ]
    report.deliverability = _deliverability(spec, outcomes)
    report.cohorts = cohorts(days)
    lifts = [e.lift for e in report.experiments if e.lift]
    report.headline = headline(
        goal=spec.goal,
        entered=funnel.entered,
        converted=funnel.converted,
        completed=funnel.completed,
        lift=lifts[0] if lifts else "",
    )
    return report


def _experiment(
    spec: JourneySpec, step_id: str, totals: Totals, outcomes: Mapping[tuple[str, str], Outcomes]
) -> Experiment | None:
    step = spec.step(step_id)
    step_type = type_of(step)
    variants = step_type.variants(step, channel_facts())
    arms: list[Arm] = []
    if len(variants) > 1:
        kind = "variants"
        for variant in variants:
            arms.append(
                _arm(
                    totals, step_id, variant.name, f"Variant {variant.name}", variant.weight, False
                )
            )
    else:
        kind = "split"
        paths = getattr(step, "paths", None)
        if step_type.arm(step, "path 1", spec) is None or not paths:
            return None
        for index, path in enumerate(paths, start=1):
            arm_key = f"path {index}"
            found = step_type.arm(step, arm_key, spec)
            holdout = bool(found and found[1])
            target = step_label(path.next, step_names(spec.steps))
            goes = "gets nothing (holdout)" if holdout else f"goes to {target}"
            label = f"Path {index} ({path.percent} %): {goes}"
            arms.append(_arm(totals, step_id, arm_key, label, path.percent, holdout))
    channel = step_type.channel(step)
    for arm in arms:
        outcome = outcomes.get((step_id, arm.key))
        if outcome is not None:
            arm.unsubscribed = outcome.statuses.get("unsubscribed", 0)
            arm.sent = outcome.ladder.get("sent", 0)
            arm.sms_stops = outcome.sms_stops
    experiment = Experiment(step_id, step.name or step_label(step_id), kind, channel, arms)
    judge(experiment)
    return experiment


def _arm(totals: Totals, step_id: str, arm: str, label: str, weight: float, holdout: bool) -> Arm:
    return Arm(
        key=arm,
        label=label,
        weight=weight,
        holdout=holdout,
        entered=totals.get((step_id, arm, m.ASSIGNED), 0),
        converted=totals.get((step_id, arm, m.CONVERTED), 0),
        ttc=histogram(totals, step_id, m.TIME_TO_CONVERT, arm),
    )


def _deliverability(
    spec: JourneySpec, outcomes: Mapping[tuple[str, str], Outcomes]
) -> list[Deliverability]:
    rows = []
    for step in spec.steps:
        variants = type_of(step).variants(step, channel_facts())
        for variant in variants:
            found = outcomes.get((step.id, variant.name))
            rows.append(
                Deliverability(
                    step.id,
                    step.name or step_label(step.id),
                    variant.name if len(variants) > 1 else "",  # no "A" where nothing is tested
                    _figures(found),
                    dict(found.deferred) if found else {},
                    found.sms_stops if found else 0,
                    dict(found.cancelled) if found else {},
                )
            )
    return rows


def _figures(found: Outcomes | None) -> dict[str, int]:
    """Per status column: sent, delivered, opened and clicked count every message that got
    that far (journeys.reports.ladder); the others count messages by latest status."""
    if found is None:
        return dict.fromkeys(STATUSES, 0)
    return {s: found.ladder.get(s, found.statuses.get(s, 0)) for s in STATUSES}


def cohorts(days: Mapping[date, tuple[int, int, int]], *, weeks: int = 52) -> list[Cohort]:
    """Conversion and completion by entry week (Mondays), newest first, at most `weeks`."""
    by_week: dict[date, list[int]] = {}
    for day, figures in days.items():
        monday = day - timedelta(days=day.weekday())
        sums = by_week.setdefault(monday, [0, 0, 0])
        for index, n in enumerate(figures):
            sums[index] += n
    newest = sorted(by_week, reverse=True)[:weeks]
    return [Cohort(week, *by_week[week]) for week in newest]


def report_json(report: JourneyReport) -> dict[str, Any]:
    """The command's JSON (and the page's numbers)."""
    funnel = report.funnel
    return {
        "journey": report.key,
        "name": report.name,
        "version": report.version,
        "entered": funnel.entered,
        "converted": funnel.converted,
        "conversion_rate": round(funnel.conversion_rate, 6),
        "completed": funnel.completed,
        "headline": {
            "measure": report.headline.measure,
            "count": report.headline.count,
            "rate": round(report.headline.rate, 6),
            "sentence": report.headline.sentence,
        },
        "time_to_convert": {"median_seconds": funnel.ttc_median, "p90_seconds": funnel.ttc_p90},
        "steps": [_step_json(s) for s in funnel.steps],
        "variants": [_arm_json(e.step, a) for e in report.experiments for a in e.arms],
        "verdicts": {
            e.step: {"verdict": e.verdict, "warning": e.sample_warning, "lift": e.lift}
            for e in report.experiments
        },
        "deliverability": [
            {
                "step": d.step,
                "variant": d.variant,
                **d.statuses,
                "deferred": d.deferred,
                "cancelled_because": d.cancelled,
                "sms_stops": d.sms_stops,
            }
            for d in report.deliverability
        ],
        "cohorts": [
            {"week": c.week.isoformat(), "entered": c.entered, "converted": c.converted}
            for c in report.cohorts
        ],
    }


def _step_json(s: StepFigures) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "type": s.type,
        "lane": s.place.lane_label,
        "reached": s.reached,
        "percent_of_entrants": round(s.percent_of_entrants, 3),
        "waiting": s.waiting,
        "in_progress": s.in_progress,
        "left": s.left,
        "stopped": s.stopped,
        "ended": s.ended,
        "time_to_next": {"median_seconds": s.gap_median, "p90_seconds": s.gap_p90},
    }


def _arm_json(step: str, a: Arm) -> dict[str, Any]:
    return {
        "step": step,
        "variant": a.key,
        "label": a.label,
        "holdout": a.holdout,
        "entered": a.entered,
        "converted": a.converted,
        "conversion_rate": round(a.rate, 6),
        "interval": [round(a.low, 6), round(a.high, 6)],
        "probability_best": None if a.probability_best is None else round(a.probability_best, 4),
        "unsubscribe_rate": round(a.unsubscribe_rate, 6),
        "sms_stop_rate": round(a.stop_rate, 6),
    }
