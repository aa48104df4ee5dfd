"""How long it takes, as a chart that reads by itself: the share of people who had done
it (converted, or moved on to the next step) by each time since the start, one line per
group, a 95 % band around each line, the median and the 90th percentile marked, axes
with units and a legend; the same figures in a text alternative. Pure SVG, no script.

The band is the Dvoretzky–Kiefer–Wolfowitz bound (± sqrt(ln(2/0.05) / 2n)): with few
people it is wide, which is the point."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from journeys.core import report_counters as m
from journeys.reports.words import duration, number, percent

COLOURS = ("#1f5f99", "#b35c00", "#2e7d4f", "#8a4b9c", "#6b6b00", "#00707a")
WIDTH, HEIGHT = 680, 240  # the plot and its axes; the legend goes below
LEFT, RIGHT, TOP, BOTTOM = 56, 20, 16, 44
LEGEND_ROW = 16
TICKS = (
    (1, "1 s"), (10, "10 s"), (60, "1 min"), (600, "10 min"), (3600, "1 h"), (6 * 3600, "6 h"),
    (86400, "1 day"), (3 * 86400, "3 days"), (7 * 86400, "1 week"), (30 * 86400, "30 days"),
    (90 * 86400, "90 days"),
)  # fmt: skip


@dataclass(frozen=True)
class Series:
    label: str  # "Everyone", "Variant B"
    histogram: dict[int, int]  # time bucket -> people (journeys.core.report_counters)

    @property
    def total(self) -> int:
        return sum(self.histogram.values())


def _band(n: int) -> float:
    return math.sqrt(math.log(2 / 0.05) / (2 * n)) if n else 1.0


def time_chart(series: Sequence[Series], *, title: str, what: str, chart_id: str) -> str:
    """`what` says what was timed, for the axis: "converted", "moved on"."""
    shown = [s for s in series if s.total]
    if not shown:
        return ""
    seconds = [m.bucket_seconds(b) for s in shown for b in s.histogram]
    low = max(1.0, min(seconds) / 2)
    high = max(max(seconds) * 1.5, low * 10)
    x = _scale(low, high)
    parts = _frame(shown, title=title, what=what, chart_id=chart_id, x=x, low=low, high=high)
    for index, one in enumerate(shown):
        parts += _line(one, COLOURS[index % len(COLOURS)], x, low)
    for index, one in enumerate(shown):
        name = "" if len(shown) == 1 else f"{one.label}: "
        parts += _markers(one, x, COLOURS[index % len(COLOURS)], name, index)
    parts += _legend(shown)
    parts.append("</svg>")
    return "".join(parts)


def _scale(low: float, high: float):  # noqa: ANN202 - a function of seconds
    span = math.log(high) - math.log(low)
    width = WIDTH - LEFT - RIGHT
    return lambda s: LEFT + width * (math.log(max(s, low)) - math.log(low)) / span


def _y(share: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - share)


def _frame(shown, *, title, what, chart_id, x, low, high) -> list[str]:  # noqa: ANN001
    desc = "; ".join(
        f"{s.label}: {number(s.total)} people, half within "
        f"{duration(m.percentile(s.histogram, 0.5))}, nine in ten within "
        f"{duration(m.percentile(s.histogram, 0.9))}"
        for s in shown
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="time-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT + LEGEND_ROW * len(shown) + 8}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}.</desc>',
    ]
    for share in (0, 0.25, 0.5, 0.75, 1):
        y = _y(share)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#ddd"/>'
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#444">{percent(100 * share, 0)}</text>'
        )
    for seconds, label in TICKS:
        if low <= seconds <= high:
            tx = x(seconds)
            parts.append(
                f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{HEIGHT - BOTTOM}" '
                f'y2="{HEIGHT - BOTTOM + 4}" stroke="#444"/>'
                f'<text x="{tx:.1f}" y="{HEIGHT - BOTTOM + 16}" font-size="11" '
                f'text-anchor="middle" fill="#444">{label}</text>'
            )
    parts.append(
        f'<text x="{(LEFT + WIDTH - RIGHT) / 2}" y="{HEIGHT - BOTTOM + 32}" font-size="12" '
        f'text-anchor="middle" fill="#111">Time since the start (log scale)</text>'
        f'<text x="14" y="{(TOP + HEIGHT - BOTTOM) / 2}" font-size="12" text-anchor="middle" '
        f'fill="#111" transform="rotate(-90 14 {(TOP + HEIGHT - BOTTOM) / 2})">'
        f"% of those who {escape(what)}</text>"
    )
    return parts


def _line(one: Series, colour: str, x, low: float) -> list[str]:  # noqa: ANN001
    total, seen, band = one.total, 0, _band(one.total)
    upper, lower, line = [], [], [f"{x(low):.1f},{_y(0):.1f}"]
    for bucket in sorted(one.histogram):
        at = x(m.bucket_seconds(bucket))
        before = seen / total
        seen += one.histogram[bucket]
        share = seen / total
        line += [f"{at:.1f},{_y(before):.1f}", f"{at:.1f},{_y(share):.1f}"]
        upper.append(f"{at:.1f},{_y(min(1, share + band)):.1f}")
        lower.append(f"{at:.1f},{_y(max(0, share - band)):.1f}")
    end = f"{WIDTH - RIGHT:.1f},{_y(1):.1f}"
    band_points = " ".join(upper + list(reversed(lower)))
    return [
        f'<polygon points="{band_points}" fill="{colour}" fill-opacity="0.15" stroke="none"/>',
        f'<polyline points="{" ".join(line)} {end}" fill="none" stroke="{colour}" '
        f'stroke-width="2"/>',
    ]


def _markers(one: Series, x, colour: str, name: str, row: int) -> list[str]:  # noqa: ANN001
    """Dashed lines at the median and the 90th percentile, labelled with the time."""
    parts = []
    for fraction, word in ((0.5, "median"), (0.9, "90 %")):
        value = m.percentile(one.histogram, fraction)
        if value is None:
            continue
        tx = x(value)
        parts.append(
            f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{_y(1):.1f}" y2="{_y(0):.1f}" '
            f'stroke="{colour}" stroke-dasharray="4 3"/>'
        )
        if name:  # several groups: their times are in the legend, not over each other
            continue
        anchor = "end" if tx > WIDTH - 160 else "start"
        shift = -4 if anchor == "end" else 4
        parts.append(
            f'<text x="{tx + shift:.1f}" y="{_y(fraction) - 4:.1f}" font-size="11" '
            f'text-anchor="{anchor}" fill="#111">{escape(f"{word} {duration(value)}")}</text>'
        )
    return parts


def _legend(shown: Sequence[Series]) -> list[str]:
    """One row per group: its colour, name, count and (several groups) its times."""
    parts = []
    for index, one in enumerate(shown):
        colour = COLOURS[index % len(COLOURS)]
        y = HEIGHT + LEGEND_ROW * index + 14
        text = f"{one.label} ({number(one.total)})"
        if len(shown) > 1:
            text += (
                f": median {duration(m.percentile(one.histogram, 0.5))}, 90 % within "
                f"{duration(m.percentile(one.histogram, 0.9))} (dashed lines)"
            )
        parts.append(
            f'<rect x="{LEFT}" y="{y - 9}" width="12" height="10" fill="{colour}"/>'
            f'<text x="{LEFT + 16}" y="{y}" font-size="11" fill="#111">{escape(text)}</text>'
        )
    parts.append(
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT + 14}" font-size="11" text-anchor="end" '
        f'fill="#444">Shaded: 95 % band</text>'
    )
    return parts


@dataclass(frozen=True)
class Chart:
    heading: str
    svg: str


def report_time_charts(report) -> dict[str, list[Chart]]:  # noqa: ANN001 - a JourneyReport
    """The report page's time charts: to convert (everyone, then per group of each test)
    and from each step to the next."""
    funnel = report.funnel
    convert: list[Chart] = []
    if not report.headline.needs_goal:
        everyone = time_chart(
            [Series("Everyone who converted", funnel.ttc)],
            title=f"Time from entering {report.name} to the goal",
            what="converted",
            chart_id="ttc",
        )
        if everyone:
            convert.append(Chart("Everyone", everyone))
        for index, experiment in enumerate(report.experiments):
            svg = time_chart(
                [Series(_short(a.label), a.ttc) for a in experiment.arms],
                title=f"Time to the goal per group of {experiment.step_name}",
                what="converted",
                chart_id=f"ttc-{index}",
            )
            if svg:
                convert.append(Chart(f"Per group of {experiment.step_name}", svg))
    steps = []
    for index, step in enumerate(funnel.steps):
        svg = time_chart(
            [Series(f"Moved on from {step.name}", step.gaps)],
            title=f"Time from entering {step.name} to the next step",
            what="moved on",
            chart_id=f"gap-{index}",
        )
        if svg:
            steps.append(Chart(step.name, svg))
    return {"convert": convert, "steps": steps}


def _short(label: str) -> str:
    """ "Path 2 (20 %): gets nothing (holdout)" → "Path 2 (holdout)"; "Variant B" stays."""
    name = label.split(":")[0].split(" (")[0]
    return f"{name} (holdout)" if "holdout" in label else name
