"""A journey's report: the funnel, A/B and holdout results, deliverability and cohorts,
with the sentences a manager reads. Pure: built from counters and outcomes read by
journeys.reports.selectors; rendered by views, the CSV export and the command."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from journeys.core import report_counters as m
from journeys.core.spec import JourneySpec
from journeys.core.steps import type_of
from journeys.core.steps.base import step_label
from journeys.reports import stats
from journeys.reports.funnel import Funnel, Totals, build_funnel
from journeys.reports.selectors import Outcomes
from journeys.reports.words import number, percent, points

STATUSES = (
    "queued", "sent", "delivered", "opened", "clicked", "bounced", "complained",
    "unsubscribed", "failed", "suppressed", "cancelled",
)  # fmt: skip
DEFERRALS = {"quiet_hours": "quiet hours", "frequency_cap": "frequency cap"}
SENT = {"sent", "delivered", "opened", "clicked", "bounced", "complained", "unsubscribed"}


@dataclass
class Arm:
    key: str  # "path 2", or a variant's name
    label: str  # "Path 2 (20 %): gets nothing (holdout)", "Variant B"
    weight: float
    holdout: bool
    entered: int
    converted: int
    low: float = 0.0
    high: float = 0.0
    probability_best: float | None = None
    unsubscribed: int = 0
    sms_stops: int = 0
    sent: int = 0

    @property
    def rate(self) -> float:
        return self.converted / self.entered if self.entered else 0.0

    @property
    def unsubscribe_rate(self) -> float:
        return self.unsubscribed / self.sent if self.sent else 0.0

    @property
    def stop_rate(self) -> float:
        return self.sms_stops / self.sent if self.sent else 0.0


@dataclass
class Experiment:
    step: str
    step_name: str
    kind: str  # "split" or "variants"
    channel: str
    arms: list[Arm]
    verdict: str = ""
    sample_warning: str = ""
    lift: str = ""


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
    headline: str = ""


def build_report(
    *,
    key: str,
    name: str,
    version: int | None,
    spec: JourneySpec,
    totals: Totals,
    outcomes: Mapping[tuple[str, str], Outcomes],
    days: Mapping[date, tuple[int, int]],
) -> JourneyReport:
    funnel = build_funnel(spec, totals)
    report = JourneyReport(key, name, version, funnel)
    report.experiments = [
        e for e in (_experiment(spec, s.id, totals, outcomes) for s in spec.steps) if e
    ]
    report.deliverability = _deliverability(spec, outcomes)
    report.cohorts = cohorts(days)
    report.headline = _headline(funnel)
    return report


def _headline(funnel: Funnel) -> str:
    if not funnel.entered:
        return "Nobody has entered this journey yet."
    return (
        f"{number(funnel.entered)} contacts entered; {number(funnel.converted)} reached the goal "
        f"({percent(100 * funnel.conversion_rate)})."
    )


def _experiment(
    spec: JourneySpec, step_id: str, totals: Totals, outcomes: Mapping[tuple[str, str], Outcomes]
) -> Experiment | None:
    step = spec.step(step_id)
    step_type = type_of(step)
    variants = step_type.variants(step)
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
            goes = "gets nothing (holdout)" if holdout else f"goes to {step_label(path.next)}"
            label = f"Path {index} ({path.percent} %): {goes}"
            arms.append(_arm(totals, step_id, arm_key, label, path.percent, holdout))
    channel = step_type.channel(step)
    for arm in arms:
        outcome = outcomes.get((step_id, arm.key))
        if outcome is not None:
            arm.unsubscribed = outcome.statuses.get("unsubscribed", 0)
            arm.sent = sum(n for s, n in outcome.statuses.items() if s in SENT)
            arm.sms_stops = outcome.sms_stops
    experiment = Experiment(step_id, step_label(step_id), kind, channel, arms)
    _judge(experiment)
    return experiment


def _arm(totals: Totals, step_id: str, arm: str, label: str, weight: float, holdout: bool) -> Arm:
    return Arm(
        key=arm,
        label=label,
        weight=weight,
        holdout=holdout,
        entered=totals.get((step_id, arm, m.ASSIGNED), 0),
        converted=totals.get((step_id, arm, m.CONVERTED), 0),
    )


def _judge(experiment: Experiment) -> None:
    """Credible intervals, probability best, the verdict in words, SRM and lift."""
    arms = experiment.arms
    figures = [stats.ArmFigures(a.entered, a.converted) for a in arms]
    if any(a.entered for a in arms):
        for arm, result in zip(arms, stats.compare(figures), strict=True):
            arm.low, arm.high, arm.probability_best = (
                result.low,
                result.high,
                result.probability_best,
            )
    noun = "path" if experiment.kind == "split" else "variant"
    if not stats.enough_for_verdict(figures):
        short = min(arms, key=lambda a: a.entered)
        experiment.verdict = (
            f"Too early to call: each {noun} needs {stats.MIN_PER_ARM} entrants "
            f"({_short_name(short)} has {number(short.entered)})."
        )
    else:
        ranked = sorted(arms, key=lambda a: a.rate, reverse=True)
        best, runner_up = ranked[0], ranked[1]
        gap = 100 * (best.rate - runner_up.rate)
        chance = best.probability_best or 0
        likely = "more than 99 %" if chance > 0.99 else percent(100 * chance, 0)
        experiment.verdict = (
            f"{_short_name(best)} converts {points(gap)} better than {_short_name(runner_up)}; "
            f"{likely} likely to be best."
        )
    p = stats.sample_ratio_p([a.entered for a in arms], [a.weight for a in arms])
    if p is not None and p < stats.SRM_P:
        split = " vs ".join(number(a.entered) for a in arms)
        meant = " / ".join(f"{a.weight:g}" for a in arms)
        experiment.sample_warning = (
            f"Check this test before trusting it: the {noun}s got {split} contacts, far from "
            f"the {meant} intended (a sample-ratio mismatch, p < 0.001)."
        )
    holdouts = [a for a in arms if a.holdout]
    treated = [a for a in arms if not a.holdout]
    if holdouts and treated:
        held = stats.ArmFigures(
            sum(a.entered for a in holdouts), sum(a.converted for a in holdouts)
        )
        rest = stats.ArmFigures(sum(a.entered for a in treated), sum(a.converted for a in treated))
        if held.entered and rest.entered:
            lift = stats.holdout_lift(rest, held)
            better = "adds" if lift.points >= 0 else "loses"
            sure = stats.enough_for_verdict(figures)
            opening = "The journey" if sure else "So far (too few to be sure), the journey"
            experiment.lift = (
                f"{opening} {better} {points(lift.points)} of conversion over doing nothing "
                f"({percent(100 * rest.rate)} against {percent(100 * held.rate)} for the holdout; "
                f"95 % interval {lift.low:+.1f} to {lift.high:+.1f} points)."
            )


def _short_name(arm: Arm) -> str:
    return arm.label.split(":")[0].split(" (")[0]


def _deliverability(
    spec: JourneySpec, outcomes: Mapping[tuple[str, str], Outcomes]
) -> list[Deliverability]:
    rows = []
    for step in spec.steps:
        for variant in type_of(step).variants(step):
            found = outcomes.get((step.id, variant.name))
            rows.append(
                Deliverability(
                    step.id,
                    step_label(step.id),
                    variant.name,
                    {s: (found.statuses.get(s, 0) if found else 0) for s in STATUSES},
                    dict(found.deferred) if found else {},
                    found.sms_stops if found else 0,
                    dict(found.cancelled) if found else {},
                )
            )
    return rows


def cohorts(days: Mapping[date, tuple[int, int]], *, weeks: int = 52) -> list[Cohort]:
    """Conversion by entry week (Mondays), newest first, at most `weeks` of them."""
    by_week: dict[date, list[int]] = {}
    for day, (entered, converted) in days.items():
        monday = day - timedelta(days=day.weekday())
        pair = by_week.setdefault(monday, [0, 0])
        pair[0] += entered
        pair[1] += converted
    newest = sorted(by_week, reverse=True)[:weeks]
    return [Cohort(week, by_week[week][0], by_week[week][1]) for week in newest]


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
        "time_to_convert": {"median_seconds": funnel.ttc_median, "p90_seconds": funnel.ttc_p90},
        "steps": [
            {
                "id": s.id,
                "name": s.name,
                "type": s.type,
                "lane": s.place.lane_label,
                "reached": s.reached,
                "percent_of_entrants": round(s.percent_of_entrants, 3),
                "waiting": s.waiting,
                "left": s.left,
                "ended": s.ended,
                "time_to_next": {"median_seconds": s.gap_median, "p90_seconds": s.gap_p90},
            }
            for s in funnel.steps
        ],
        "variants": [
            {
                "step": e.step,
                "variant": a.key,
                "label": a.label,
                "holdout": a.holdout,
                "entered": a.entered,
                "converted": a.converted,
                "conversion_rate": round(a.rate, 6),
                "interval": [round(a.low, 6), round(a.high, 6)],
                "probability_best": None
                if a.probability_best is None
                else round(a.probability_best, 4),
                "unsubscribe_rate": round(a.unsubscribe_rate, 6),
                "sms_stop_rate": round(a.stop_rate, 6),
            }
            for e in report.experiments
            for a in e.arms
        ],
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
