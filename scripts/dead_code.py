"""Code that no code uses, found by vulture; `make lint` fails while there is any.

Reported: functions, methods, classes and properties that nothing calls (vulture is 60%
sure of those, since it cannot see a call by name), and whatever vulture is sure of
(unused imports and arguments, unreachable code: 90-100%). Not reported: class attributes
and variables at 60%, which are mostly model fields, admin options and dataclass fields
that Django, templates or JSON read by name.

Names a framework calls by name are listed in vulture_whitelist.py, each with its reason;
code behind a framework's decorator (a route, a template tag, an admin action, a signal
receiver, a registered operator) counts as used.
"""

from __future__ import annotations

import sys
from pathlib import Path

from vulture import Vulture

ROOT = Path(__file__).resolve().parent.parent
PATHS = ["journeys", "channels", "onboarding", "vulture_whitelist.py"]
EXCLUDE = ["*/migrations/*"]
CALLED_BY_A_FRAMEWORK = [
    "@router.*",  # django-ninja routes
    "@api.exception_handler",
    "@admin.register",
    "@admin.action",
    "@admin.display",
    "@register",  # our registries (operators) and template libraries
    "@register.*",
    "@receiver",  # a library's signal, received at the boundary
]
# Django's form field cleaners (`clean_<field>`), called by the field's name.
FRAMEWORK_NAMES = ["clean_*"]
CODE = {"function", "method", "class", "property"}
SURE = 80


def unused() -> list[str]:
    """The report lines of every unused piece of code, by file and line."""
    vulture = Vulture(ignore_names=FRAMEWORK_NAMES, ignore_decorators=CALLED_BY_A_FRAMEWORK)
    vulture.scavenge([str(ROOT / path) for path in PATHS], exclude=EXCLUDE)
    return [
        item.get_report()
        for item in vulture.get_unused_code(min_confidence=60)
        if item.typ in CODE or item.confidence >= SURE
    ]


def main() -> int:
    found = unused()
    for line in found:
        print(line)
    if found:
        print(
            f"{len(found)} unused: remove it, or if a framework calls it by name, "
            "add it to vulture_whitelist.py with the reason.",
            file=sys.stderr,
        )
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
