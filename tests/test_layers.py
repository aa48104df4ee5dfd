"""The layers of docs/architecture.md hold: each pure module imports only the modules below
it, none of them touches the database, and no module hides an import inside a function."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STEP_MODULES = sorted(
    f"journeys.steps.{path.stem}"
    for path in (ROOT / "journeys" / "steps").glob("*.py")
    if path.stem not in ("__init__", "base", "registry")
)
# What each pure module may import from this project (everything else is a library).
BELOW = {
    "journeys.problems": set(),
    "journeys.durations": set(),
    "journeys.zones": set(),
    "journeys.conditions": {"journeys.problems", "journeys.durations"},
    "journeys.spec": {"journeys.conditions"},
    "journeys.decisions": {"journeys.conditions", "journeys.spec", "journeys.zones"},
    "journeys.assignment": {"journeys.spec"},
    "journeys.steps.base": {
        "journeys.conditions",
        "journeys.decisions",
        "journeys.durations",
        "journeys.problems",
        "journeys.spec",
    },
    "journeys.steps.registry": {"journeys.spec", "journeys.steps.base"},
    "journeys.steps": {"journeys.steps.base", "journeys.steps.registry"},
    "journeys.format": {
        "journeys.conditions",
        "journeys.durations",
        "journeys.problems",
        "journeys.spec",
        "journeys.steps",
    },
    "journeys.engine": {
        "journeys.assignment",
        "journeys.conditions",
        "journeys.decisions",
        "journeys.durations",
        "journeys.spec",
        "journeys.steps",
        "journeys.steps.base",
    },
    "journeys.reducer": {"journeys.decisions", "journeys.traits"},
    "journeys.simulate": {
        "journeys.clock",
        "journeys.durations",
        "journeys.engine",
        "journeys.reducer",
        "journeys.spec",
    },
} | {
    module: {
        "journeys.assignment",
        "journeys.conditions",
        "journeys.decisions",
        "journeys.durations",
        "journeys.problems",
        "journeys.spec",
        "journeys.steps.base",
        "channels.registry",
    }
    for module in STEP_MODULES
}


def _path(module: str) -> Path:
    base = ROOT.joinpath(*module.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def _imports(module: str) -> set[str]:
    tree = ast.parse(_path(module).read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("journeys", "channels", "onboarding")}


@pytest.mark.parametrize("module", sorted(BELOW))
def test_a_pure_module_imports_only_the_layers_below_it(module):
    assert _imports(module) - BELOW[module] == set()


@pytest.mark.parametrize("module", sorted(BELOW))
def test_a_pure_module_never_touches_the_database(module):
    text = _path(module).read_text(encoding="utf-8")

    assert "django.db" not in text
    assert "journeys.models" not in text


def test_no_module_imports_inside_a_function():
    """Django's AppConfig.ready() is the one place an import waits for the app registry."""
    late = []
    for path in sorted([*ROOT.glob("journeys/**/*.py"), *ROOT.glob("channels/**/*.py")]):
        if "migrations" in path.parts or path.name == "apps.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                late += [
                    f"{path.relative_to(ROOT)}:{node.lineno}"
                    for node in ast.walk(function)
                    if isinstance(node, ast.Import | ast.ImportFrom)
                ]
    assert late == []
