"""Statistics for A/B and holdout results. Pure: no ORM, no randomness without a seed.

Beta-Binomial with a uniform prior: each arm's conversion rate is Beta(1 + converted,
1 + not converted). The probability that an arm is best, its 95 % credible interval and
a holdout's lift come from Monte-Carlo draws with a fixed seed, so the same figures give
the same answer on every page load, export and command run."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

DRAWS = 10_000  # probability best within ±0.5 point; ~40 ms for two arms
SEED = 20261201
MIN_PER_ARM = 100  # no verdict before every arm has this many entrants
SRM_P = 0.001  # sample-ratio mismatch below this p-value


@dataclass(frozen=True)
class ArmFigures:
    entered: int
    converted: int

    @property
    def rate(self) -> float:
        return self.converted / self.entered if self.entered else 0.0


@dataclass(frozen=True)
class ArmResult:
    rate: float
    low: float  # 95 % credible interval of the rate
    high: float
    probability_best: float


def _draws(arm: ArmFigures, rng: random.Random) -> list[float]:
    alpha, beta = 1 + arm.converted, 1 + max(0, arm.entered - arm.converted)
    return [rng.betavariate(alpha, beta) for _ in range(DRAWS)]


def _interval(samples: Sequence[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return ordered[int(0.025 * len(ordered))], ordered[int(0.975 * len(ordered)) - 1]


def compare(arms: Sequence[ArmFigures]) -> list[ArmResult]:
    """Each arm's rate, 95 % credible interval and probability of being the best."""
    return list(_compare(tuple(arms)))


@lru_cache(maxsize=256)  # same figures, same answer: a reload costs nothing
def _compare(arms: tuple[ArmFigures, ...]) -> tuple[ArmResult, ...]:
    rng = random.Random(SEED)
    samples = [_draws(arm, rng) for arm in arms]
    wins = [0] * len(arms)
    for draw in zip(*samples, strict=True):
        wins[max(range(len(draw)), key=draw.__getitem__)] += 1
    results = []
    for arm, drawn, won in zip(arms, samples, wins, strict=True):
        low, high = _interval(drawn)
        results.append(ArmResult(arm.rate, low, high, won / DRAWS))
    return tuple(results)


@dataclass(frozen=True)
class Lift:
    points: float  # treated rate minus holdout rate, in percentage points
    low: float
    high: float
    probability_positive: float


@lru_cache(maxsize=256)
def holdout_lift(treated: ArmFigures, holdout: ArmFigures) -> Lift:
    """How many points the journey adds over doing nothing, with a 95 % interval."""
    rng = random.Random(SEED)
    a, b = _draws(treated, rng), _draws(holdout, rng)
    differences = [x - y for x, y in zip(a, b, strict=True)]
    low, high = _interval(differences)
    positive = sum(1 for d in differences if d > 0) / DRAWS
    return Lift(100 * (treated.rate - holdout.rate), 100 * low, 100 * high, positive)


def enough_for_verdict(arms: Sequence[ArmFigures]) -> bool:
    return bool(arms) and all(arm.entered >= MIN_PER_ARM for arm in arms)


def sample_ratio_p(observed: Sequence[int], weights: Sequence[float]) -> float | None:
    """χ² goodness-of-fit p-value of the arms' entrants against their intended weights
    (None when there is nothing to test)."""
    total, weight_total = sum(observed), sum(weights)
    if total == 0 or len(observed) < 2 or weight_total <= 0:
        return None
    expected = [total * w / weight_total for w in weights]
    chi2 = sum((o - e) ** 2 / e for o, e in zip(observed, expected, strict=True) if e > 0)
    return chi2_survival(chi2, len(observed) - 1)


def chi2_survival(x: float, df: int) -> float:
    """P(χ²(df) ≥ x): the regularised upper incomplete gamma Q(df/2, x/2)."""
    if x <= 0:
        return 1.0
    return _upper_gamma(df / 2, x / 2)


def _upper_gamma(s: float, x: float) -> float:
    if x < s + 1:  # series for the lower part
        term = total = 1.0 / s
        n = s
        for _ in range(500):
            n += 1
            term *= x / n
            total += term
            if abs(term) < abs(total) * 1e-15:
                break
        return max(0.0, 1.0 - total * math.exp(-x + s * math.log(x) - math.lgamma(s)))
    # Lentz's continued fraction for the upper part
    tiny = 1e-300
    b = x + 1 - s
    c, d = 1 / tiny, 1 / b
    h = d
    for i in range(1, 500):
        an = -i * (i - s)
        b += 2
        d = an * d + b
        d = tiny if abs(d) < tiny else d
        c = b + an / c
        c = tiny if abs(c) < tiny else c
        d = 1 / d
        delta = d * c
        h *= delta
        if abs(delta - 1) < 1e-15:
            break
    return min(1.0, math.exp(-x + s * math.log(x) - math.lgamma(s)) * h)


def wilson(successes: int, trials: int, z: float = 1.96) -> tuple[float, float]:
    """The 95 % Wilson interval of a share (honest at 0 and 1, and with few trials)."""
    if trials <= 0:
        return 0.0, 1.0
    share = successes / trials
    denominator = 1 + z * z / trials
    centre = (share + z * z / (2 * trials)) / denominator
    half = z * math.sqrt(share * (1 - share) / trials + z * z / (4 * trials * trials))
    half /= denominator
    return max(0.0, centre - half), min(1.0, centre + half)
