"""Figures in the words a manager reads right. Pure."""

from __future__ import annotations


def percent(value: float, digits: int = 1) -> str:
    """12.5 → "12.5 %"; whole numbers lose their ".0"."""
    text = f"{value:.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return f"{text} %"


def points(value: float) -> str:
    return f"{abs(value):.1f} point{'s' if round(abs(value), 1) != 1 else ''}"


def duration(seconds: float | None) -> str:
    """ "about 2 h 10 min", "45 s", "3 days 4 h"; "—" when unknown."""
    if seconds is None:
        return "—"
    s = int(round(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min"
    if s < 86400:
        hours, minutes = divmod(s // 60, 60)
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(s // 3600, 24)
    unit = "day" if days == 1 else "days"
    return f"{days} {unit} {hours} h" if hours else f"{days} {unit}"


def number(n: int) -> str:
    return f"{n:,}"
