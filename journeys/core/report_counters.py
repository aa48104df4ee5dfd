"""The names of the report counters and the time buckets they use. Pure, no ORM.

A counter is keyed by (journey, version, entry day, step, arm, metric); see
docs/reports.md for what each metric counts and the rule a recount follows."""

from __future__ import annotations

import math
from collections import Counter
from datetime import date

JOURNEY = 0  # step_id of journey-wide counters
NO_ARM = ""

ENTERED = "entered"  # enrollments (journey-wide, by the version entered)
CONVERTED = "converted"  # conversions (journey-wide, and per arm)
TIME_TO_CONVERT = "ttc"  # histogram: seconds from entering to the goal
REACHED = "reached"  # enrollments that visited the step at least once
VISITS = "visits"  # visits of the step (a loop visits twice)
WAITING = "waiting"  # visits of the step still open
GAP = "gap"  # histogram: seconds from entering the step to entering the next one
ENDED = "ended"  # enrollments whose trip ended at the step, per final state: "ended:exited"
ASSIGNED = "assigned"  # enrollments given this arm (split path or variant)

RATIO = 1.05  # each time bucket is 5 % wider than the one before

Key = tuple[int, int, date, int, str, str]
Counts = Counter[Key]


def bucket(seconds: float) -> int:
    """The histogram bucket of a duration: 0 for none, then 5 %-wide buckets."""
    if seconds < 1:
        return 0
    return int(math.floor(math.log(seconds) / math.log(RATIO))) + 1


def bucket_seconds(index: int) -> float:
    """A bucket's middle (geometric), the value medians and p90s report (within 2.5 %)."""
    if index <= 0:
        return 0.0
    low = RATIO ** (index - 1)
    return round(math.sqrt(low * low * RATIO), 1) if index > 1 else 1.0


def histogram_metric(name: str, seconds: float) -> str:
    return f"{name}:{bucket(seconds)}"


def ended_metric(state: str) -> str:
    return f"{ENDED}:{state}"


def split_metric(metric: str) -> tuple[str, str]:
    """("gap", "12") from "gap:12"; ("reached", "") from "reached"."""
    name, _, rest = metric.partition(":")
    return name, rest


def percentile(histogram: dict[int, int], fraction: float) -> float | None:
    """The value at `fraction` (0.5 median, 0.9 p90) of a bucket histogram, nearest-rank."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(fraction * total))
    seen = 0
    for index in sorted(histogram):
        seen += histogram[index]
        if seen >= rank:
            return bucket_seconds(index)
    raise AssertionError("unreachable")
