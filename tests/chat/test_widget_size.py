"""The widget's weight budgets (issue 9): the loader ≤ 3 KB and the widget ≤ 30 KB, gzipped."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "static" / "stepwise"


@pytest.mark.parametrize(("name", "budget"), [("loader.js", 3 * 1024), ("widget.js", 30 * 1024)])
def test_the_script_fits_its_gzipped_budget(name, budget):
    size = len(gzip.compress((STATIC / name).read_bytes(), compresslevel=9))
    assert size <= budget, f"{name} is {size} bytes gzipped (budget {budget})"
