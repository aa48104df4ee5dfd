"""The house holds: imports run one way (import-linter's contracts in pyproject.toml), the
core loads no Django, and no module hides an import inside a function."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Everything the pure core is: importing it must not load Django or any I/O library.
CORE_IMPORT = (
    "import sys\n"
    "import journeys.core.engine, journeys.core.format, journeys.core.simulate\n"
    "import journeys.core.reducer, journeys.core.traits, journeys.core.report_counters\n"
    "import journeys.core.steps\n"
    "loaded = sorted(m for m in sys.modules if m.split('.')[0] in {names!r})\n"
    "print(','.join(loaded))\n"
)
NOT_IN_CORE = {"django", "channels", "anymail", "twilio", "psycopg", "redis", "django_q", "ninja"}


def _bare_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_import_contracts_hold():
    """`lint-imports`: the layers, and nothing of Django or channels in the core."""
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run(
        [str(lint)], cwd=ROOT, capture_output=True, text=True, timeout=240, check=False
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert "0 broken" in result.stdout


def test_the_core_loads_no_django_in_a_fresh_interpreter():
    code = CORE_IMPORT.format(names=NOT_IN_CORE)
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == ""


def test_the_engines_own_tests_run_without_django_settings():
    """tests/journeys/core/ runs with pytest-django off and no settings module at all."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/journeys/core",
            "-p",
            "no:django",
            "-p",
            "no:cacheprovider",
            "--confcutdir=tests/journeys/core",
            "-q",
            "-x",
        ],
        cwd=ROOT,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=280,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:]
    assert " passed" in result.stdout


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
