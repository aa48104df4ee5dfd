"""Charts as SVG drawn on the server: a title, a description and the same numbers as the
table beside them; no script, no inline style (presentation attributes only). Pure."""

from __future__ import annotations

from html import escape

from journeys.reports.funnel import Funnel
from journeys.reports.stats import wilson
from journeys.reports.words import number, percent

LANE_COLOURS = ("#1f5f99", "#2e7d4f", "#8a4b9c", "#b35c00", "#6b6b00", "#00707a")
ROW, LABEL_WIDTH, BAR_WIDTH = 38, 250, 390


def funnel_svg(funnel: Funnel, *, title: str, chart_id: str = "funnel") -> str:
    """One bar per step in the journey's order: contacts reached, % of entrants; bars of
    one path of a split or branch share its colour and are indented under it."""
    steps = funnel.steps
    lanes = _lanes(funnel)
    height = ROW * len(steps) + 30 + 20 * len(lanes)
    width = LABEL_WIDTH + BAR_WIDTH + 150
    entered = funnel.entered or 1
    desc = "; ".join(
        f"{s.name}{' (' + s.place.lane_label + ')' if s.place.lane_label else ''}: "
        f"{number(s.reached)} reached, {percent(s.percent_of_entrants)} of entrants"
        for s in steps
    )
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="funnel-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<text x="{LABEL_WIDTH}" y="16" font-size="12" fill="#444">'
        f"% of the {number(funnel.entered)} entrants who reached each step "
        f"(full bar = 100 %; black line: 95 % range)</text>",
    ]
    for row, step in enumerate(steps):
        y = 26 + row * ROW
        indent = 14 if step.place.lane else 0
        colour = LANE_COLOURS[step.place.lane % len(LANE_COLOURS)]
        bar = max(2, round(BAR_WIDTH * step.reached / entered)) if step.reached else 0
        parts.append(f'<g class="funnel-step" data-step="{escape(step.id)}">')
        parts.append(
            f'<text x="{indent}" y="{y + 14}" font-size="14" fill="#111">{escape(step.name)}</text>'
        )
        if step.place.lane_label:
            parts.append(
                f'<text x="{indent}" y="{y + 29}" font-size="11" fill="{colour}">'
                f"{escape(step.place.lane_label)}</text>"
            )
        parts.append(
            f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{BAR_WIDTH}" height="22" fill="#eef1f5"/>'
        )
        if bar:
            parts.append(
                f'<rect x="{LABEL_WIDTH}" y="{y + 2}" width="{bar}" height="22" fill="{colour}"/>'
            )
        if funnel.entered:
            low, high = wilson(step.reached, funnel.entered)
            left, right = LABEL_WIDTH + BAR_WIDTH * low, LABEL_WIDTH + BAR_WIDTH * high
            parts.append(
                f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{y + 13}" y2="{y + 13}" '
                f'stroke="#111" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{LABEL_WIDTH + BAR_WIDTH + 8}" y="{y + 18}" font-size="13" fill="#111">'
            f"{number(step.reached)} · {percent(step.percent_of_entrants)}</text>"
        )
        parts.append("</g>")
    parts += _legend(lanes, 26 + len(steps) * ROW + 6)
    parts.append("</svg>")
    return "".join(parts)


def _lanes(funnel: Funnel) -> list[tuple[str, str]]:
    """(colour, words) for every colour the bars use."""
    seen: dict[int, str] = {}
    for step in funnel.steps:
        seen.setdefault(step.place.lane, step.place.lane_label or "Everyone")
    return [(LANE_COLOURS[lane % len(LANE_COLOURS)], seen[lane]) for lane in sorted(seen)]


def _legend(lanes: list[tuple[str, str]], top: int) -> list[str]:
    parts = []
    for index, (colour, words) in enumerate(lanes):
        y = top + 20 * index
        parts.append(
            f'<g class="legend"><rect x="{LABEL_WIDTH}" y="{y}" width="14" height="12" '
            f'fill="{colour}"/><text x="{LABEL_WIDTH + 20}" y="{y + 11}" font-size="12" '
            f'fill="#111">{escape(words)}</text></g>'
        )
    return parts
