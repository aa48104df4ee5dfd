"""The overview's trend: a journey's figure over time as a small chart that reads by
itself — daily points while the journey has less than four weeks of entrants, weekly
(Mondays) after; a 95 % band (Wilson) so a week of three entrants does not look like a
collapse; the first and last day and the top of the scale written on it; every point in
the text alternative. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

from journeys.reports.stats import wilson
from journeys.reports.words import percent

DAILY_UNDER = timedelta(days=28)
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 250, 64, 34, 14, 6
COLOUR = "#1f5f99"


@dataclass(frozen=True)
class Point:
    start: date
    entered: int
    count: int

    @property
    def share(self) -> float:
        return self.count / self.entered if self.entered else 0.0


def trend_points(
    days: Mapping[date, tuple[int, int, int]], pick: Callable[[tuple[int, int, int]], int]
) -> tuple[list[Point], str]:
    """Points (oldest first) and their period ("day" or "week"); `pick` chooses the count
    (conversions or completions) from a day's (entered, converted, completed)."""
    if not days:
        return [], "day"
    first, last = min(days), max(days)
    period = "day" if last - first < DAILY_UNDER else "week"
    sums: dict[date, list[int]] = {}
    for day, figures in days.items():
        start = day if period == "day" else day - timedelta(days=day.weekday())
        pair = sums.setdefault(start, [0, 0])
        pair[0] += figures[0]
        pair[1] += pick(figures)
    return [Point(start, *sums[start]) for start in sorted(sums)], period


def _day(value: date) -> str:
    return f"{value.day} {value:%b}"


def trend_svg(points: list[Point], period: str, *, measure: str, name: str) -> str:
    """A line of the figure per day or week with its 95 % band, labelled for everyone."""
    label = f"{measure.capitalize()} of {name} per {period}, oldest first: " + (
        "; ".join(
            f"{'week of ' if period == 'week' else ''}{_day(p.start)}: {percent(100 * p.share)}"
            f" of {p.entered}"
            for p in points
        )
        or "no entrants yet"
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="trend" role="img" '
        f'aria-label="{escape(label)}" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" '
        f'height="{HEIGHT}">',
        f"<title>{escape(label)}</title>",
    ]
    if points:
        parts += _drawing(points)
    parts.append("</svg>")
    return "".join(parts)


def _drawing(points: list[Point]) -> list[str]:
    bands = [wilson(p.count, p.entered) for p in points]
    top = max(0.05, max(high for _, high in bands))
    inner_w, inner_h = WIDTH - LEFT - 6, HEIGHT - TOP - BOTTOM
    step = inner_w / max(1, len(points) - 1)

    def x(i: int) -> float:
        return LEFT + (i * step if len(points) > 1 else inner_w / 2)

    def y(share: float) -> float:
        return TOP + inner_h * (1 - share / top)

    upper = [f"{x(i):.1f},{y(high):.1f}" for i, (_, high) in enumerate(bands)]
    lower = [f"{x(i):.1f},{y(low):.1f}" for i, (low, _) in enumerate(bands)]
    line = " ".join(f"{x(i):.1f},{y(p.share):.1f}" for i, p in enumerate(points))
    parts = [
        f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + inner_h}" stroke="#888"/>',
        f'<line x1="{LEFT}" x2="{WIDTH - 6}" y1="{TOP + inner_h}" y2="{TOP + inner_h}" '
        f'stroke="#888"/>',
        f'<text x="{LEFT - 3}" y="{TOP + 7}" font-size="9" text-anchor="end" fill="#444">'
        f"{percent(100 * top, 0)}</text>",
        f'<text x="{LEFT - 3}" y="{TOP + inner_h}" font-size="9" text-anchor="end" '
        f'fill="#444">0 %</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 2}" font-size="9" fill="#444">'
        f"{_day(points[0].start)}</text>",
        f'<text x="{WIDTH - 6}" y="{HEIGHT - 2}" font-size="9" text-anchor="end" '
        f'fill="#444">{_day(points[-1].start)}</text>',
    ]
    if len(points) > 1:
        band = " ".join(upper + list(reversed(lower)))
        parts.append(f'<polygon points="{band}" fill="{COLOUR}" fill-opacity="0.15"/>')
        parts.append(f'<polyline points="{line}" fill="none" stroke="{COLOUR}" stroke-width="2"/>')
    else:  # one point: whiskers instead of a band
        low, high = bands[0]
        parts.append(
            f'<line x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{y(high):.1f}" y2="{y(low):.1f}" '
            f'stroke="{COLOUR}" stroke-opacity="0.5" stroke-width="6"/>'
        )
    parts += [
        f'<circle cx="{x(i):.1f}" cy="{y(p.share):.1f}" r="2.5" fill="{COLOUR}"/>'
        for i, p in enumerate(points)
    ]
    return parts
