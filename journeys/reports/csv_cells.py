"""CSV cells no spreadsheet runs as formulas. Pure."""

from __future__ import annotations

import re

# OWASP's rule against CSV injection: a cell that starts, after any leading spaces, with one
# of these is a formula to a spreadsheet, so it gets a leading ' unless the whole cell (after
# those spaces) is strictly a number. `NUMBER` is written so PostgreSQL's regular expressions
# read it the same way (the drop-off list's COPY path, reports/selectors.py).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = r"[+-]?([0-9]+(\.[0-9]+)?|\.[0-9]+)([eE][+-]?[0-9]+)?"


def safe_cell(cell: str) -> str:
    """The cell as text a spreadsheet shows, never runs (names and ids come from anyone)."""
    rest = cell.lstrip(" ")
    if rest[:1] in FORMULA_STARTS and not re.fullmatch(NUMBER, rest):
        return "'" + cell
    return cell
