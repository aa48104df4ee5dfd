"""The statistics and words a manager reads: pure, so checked against known answers."""

from __future__ import annotations

import pytest

from journeys.core import report_counters as m
from journeys.reports.stats import (
    ArmFigures,
    chi2_survival,
    compare,
    holdout_lift,
    sample_ratio_p,
)
from journeys.reports.verdicts import Arm, Experiment, judge


@pytest.mark.parametrize(
    ("x", "df", "p"),
    [(3.841, 1, 0.05), (10.828, 1, 0.001), (5.991, 2, 0.05), (7.815, 3, 0.05), (0.0, 1, 1.0)],
)
def test_chi_square_tail_matches_the_tables(x, df, p):
    assert chi2_survival(x, df) == pytest.approx(p, abs=2e-4)


def test_a_clear_winner_is_likely_best_and_the_same_every_time():
    arms = [ArmFigures(2000, 200), ArmFigures(2000, 282)]
    first, again = compare(arms), compare(arms)
    assert first == again  # fixed seed
    assert first[1].probability_best > 0.99
    assert first[0].low < 0.1 < first[0].high
    assert sum(r.probability_best for r in first) == pytest.approx(1.0)


def test_equal_arms_are_a_coin_toss():
    results = compare([ArmFigures(1000, 100), ArmFigures(1000, 100)])
    assert abs(results[0].probability_best - 0.5) < 0.03


def test_sample_ratio_mismatch_against_the_weights():
    assert sample_ratio_p([500, 500], [1, 1]) == pytest.approx(1.0)
    assert sample_ratio_p([612, 388], [1, 1]) < 0.001
    assert sample_ratio_p([900, 100], [90, 10]) == pytest.approx(1.0)


def test_holdout_lift_has_an_interval_around_the_difference():
    lift = holdout_lift(ArmFigures(9000, 1800), ArmFigures(1000, 150))
    assert lift.points == pytest.approx(5.0)
    assert lift.low < 5.0 < lift.high
    assert lift.probability_positive > 0.99


def _experiment(*arms: tuple[str, int, int, float, bool]) -> Experiment:
    rows = [Arm(key, f"Variant {key}", w, h, n, c) for key, n, c, w, h in arms]
    experiment = Experiment("welcome", "Welcome", "variants", "email", rows)
    judge(experiment)
    return experiment


def test_the_verdict_reads_right():
    experiment = _experiment(("A", 1000, 100, 1, False), ("B", 1000, 141, 1, False))
    assert (
        experiment.verdict
        == "Variant B converts 4.1 points better than Variant A; more than 99 % likely to be best."
    )
    assert experiment.sample_warning == ""


def test_a_close_result_says_its_chance():
    experiment = _experiment(("A", 1000, 100, 1, False), ("B", 1000, 120, 1, False))
    assert experiment.verdict.startswith("Variant B converts 2.0 points better than Variant A; 9")
    assert experiment.verdict.endswith(
        "% likely to be best. Keep it running until that reaches 95 %."
    )
    assert experiment.sample_check == (
        "The variants got 1,000 vs 1,000 contacts, as close to the 1 / 1 intended as chance "
        "allows, so the groups are comparable."
    )


def test_no_verdict_before_a_hundred_entrants_per_arm():
    experiment = _experiment(("A", 99, 50, 1, False), ("B", 400, 10, 1, False))
    assert experiment.verdict.startswith(
        "Too early to call: each variant needs 100 entrants (Variant A has 99)"
    )


def test_a_sample_ratio_mismatch_is_flagged():
    experiment = _experiment(("A", 612, 60, 1, False), ("B", 388, 40, 1, False))
    assert "sample-ratio mismatch" in experiment.sample_warning


def test_time_buckets_are_within_two_and_a_half_percent():
    for seconds in (1, 7, 59, 3600, 86400 * 3, 86400 * 40):
        middle = m.bucket_seconds(m.bucket(seconds))
        assert abs(middle - seconds) / seconds <= 0.026
    assert m.percentile({m.bucket(60): 1, m.bucket(3600): 9}, 0.5) == pytest.approx(3600, rel=0.026)
    assert m.percentile({}, 0.5) is None
