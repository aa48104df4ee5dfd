"""A/B and holdout results in words: each group's interval and chance of being best,
the verdict, the sample-ratio check and the holdout's lift, one plain sentence each.
Pure."""

from __future__ import annotations

from dataclasses import dataclass, field

from journeys.reports import stats
from journeys.reports.words import number, percent, points

SURE = 0.95  # the chance of being best at which a test can be stopped


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
    ttc: dict[int, int] = field(default_factory=dict)  # time-to-convert histogram

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
    sample_check: str = ""  # the sample-ratio check passed, in words
    sample_warning: str = ""
    lift: str = ""


def judge(experiment: Experiment) -> None:
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
        keep = (
            f" Keep it running until that reaches {percent(100 * SURE, 0)}."
            if chance < SURE
            else ""
        )
        experiment.verdict = (
            f"{_short_name(best)} converts {points(gap)} better than {_short_name(runner_up)}; "
            f"{likely} likely to be best.{keep}"
        )
    _check_sample_ratio(experiment, noun)
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


def _check_sample_ratio(experiment: Experiment, noun: str) -> None:
    """Say whether the groups got the shares they were meant to (a sample-ratio check)."""
    arms = experiment.arms
    p = stats.sample_ratio_p([a.entered for a in arms], [a.weight for a in arms])
    split = " vs ".join(number(a.entered) for a in arms)
    meant = " / ".join(f"{a.weight:g}" for a in arms)
    if p is not None and p >= stats.SRM_P:
        experiment.sample_check = (
            f"The {noun}s got {split} contacts, as close to the {meant} intended as chance "
            f"allows, so the groups are comparable."
        )
    if p is not None and p < stats.SRM_P:
        experiment.sample_warning = (
            f"Check this test before trusting it: the {noun}s got {split} contacts, far from "
            f"the {meant} intended (a sample-ratio mismatch, p < 0.001)."
        )


def _short_name(arm: Arm) -> str:
    return arm.label.split(":")[0].split(" (")[0]
