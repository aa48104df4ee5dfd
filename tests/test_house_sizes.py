"""The house stays small enough to read: no module over 400 lines, no function over 60
lines, and no Form class built inside a function, in the product's packages (tests,
migrations and the bench scripts are not product code). Each test lists its offenders."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("journeys", "channels", "onboarding")
MODULE_LINES = 400
FUNCTION_LINES = 60

# Files allowed to break the rules for now, each with the reason it is still here: none.
ALLOWED: set[str] = set()
# Allowed past 400 lines: settings are a flat list of values read from the environment
# (430 lines since push, the inbox, the security work and the delivery lanes each added
# theirs); to be split by concern (channels, worker, security) next.
LONG_ALLOWED = {"onboarding/settings.py"}


def _modules() -> Iterator[tuple[str, ast.Module, int]]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            name = path.relative_to(ROOT).as_posix()
            if "/migrations/" in name or name in ALLOWED:
                continue
            text = path.read_text(encoding="utf-8")
            yield name, ast.parse(text, filename=name), len(text.splitlines())


def _functions(tree: ast.AST) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield node


def _is_form(node: ast.ClassDef) -> bool:
    """A class whose name or base says it is a form (`forms.Form`, `ModelForm`, `XForm`)."""
    names = [node.name] + [ast.unparse(base) for base in node.bases]
    return any(name.endswith(("Form", "FormSet")) for name in names)


def _long_functions(name: str, tree: ast.AST) -> list[str]:
    return [
        f"{name}:{fn.lineno} {fn.name}: {fn.end_lineno - fn.lineno + 1} lines"
        for fn in _functions(tree)
        if fn.end_lineno is not None and fn.end_lineno - fn.lineno + 1 > FUNCTION_LINES
    ]


def _forms_in_functions(name: str, tree: ast.AST) -> list[str]:
    found = []
    for fn in _functions(tree):
        for node in ast.walk(fn):
            if isinstance(node, ast.ClassDef) and _is_form(node):
                found.append(f"{name}:{node.lineno} {node.name} in {fn.name}()")
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "type"
                and len(node.args) == 3
            ):
                if (name, fn.name) not in BUILT_ON_PURPOSE:
                    found.append(f"{name}:{node.lineno} type(...) in {fn.name}()")
    return found


# type(...) calls that build no form: the admin site mixes its audit into every ModelAdmin
# registered with it, the libraries' included (onboarding/admin_site.py), and the staff
# pages' wording of times into each admin and inline (journeys/admin/times.py).
BUILT_ON_PURPOSE = {
    ("onboarding/admin_site.py", "register"),
    ("journeys/admin/times.py", "with_staff_times"),
}


def test_no_module_is_over_400_lines():
    offenders = [
        f"{name}: {lines} lines"
        for name, _, lines in _modules()
        if lines > MODULE_LINES and name not in LONG_ALLOWED
    ]
    assert offenders == [], "split these by responsibility:\n" + "\n".join(offenders)


def test_no_function_is_over_60_lines():
    offenders = [line for name, tree, _ in _modules() for line in _long_functions(name, tree)]
    assert offenders == [], "split these into named steps:\n" + "\n".join(offenders)


def test_no_form_class_is_built_inside_a_function():
    """A form is declared once at module level, where a reader and a test can find it."""
    offenders = [line for name, tree, _ in _modules() for line in _forms_in_functions(name, tree)]
    assert offenders == [], "declare these forms at module level:\n" + "\n".join(offenders)


def test_the_checks_find_what_they_are_meant_to():
    """The rules above would pass on an empty tree: prove they read the real one and catch
    each kind of offender."""
    names = {name for name, _, _ in _modules()}
    assert {"journeys/core/engine.py", "channels/registry.py", "onboarding/settings.py"} <= names
    assert not any("/migrations/" in name for name in names)
    long = "def long():\n" + "    x = 1\n" * FUNCTION_LINES
    assert _long_functions("m.py", ast.parse(long)) == ["m.py:1 long: 61 lines"]
    assert _long_functions("m.py", ast.parse("def short():\n    return 1\n")) == []
    built = (
        "class Editor:\n"
        "    def form(self):\n"
        "        class StepForm(forms.Form):\n"
        "            pass\n"
        "        return type('Other', (forms.Form,), {})\n"
    )
    assert _forms_in_functions("m.py", ast.parse(built)) == [
        "m.py:3 StepForm in form()",
        "m.py:5 type(...) in form()",
    ]
    assert _forms_in_functions("m.py", ast.parse("class StepForm(forms.Form):\n    pass\n")) == []
