"""What changed in a message's or question's language versions (`locales`), in words:
"Changed the French subject of “Welcome” (variant A) from “Bonjour” to “Salut”".
journeys.builder.diff calls it with its own way of naming fields and showing values."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from journeys.core.languages import language_name

Words = Callable[[str, Any], str]


def locale_changes(
    name: str, before: Any, after: Any, *, field: Callable[[str], str], show: Words
) -> list[str]:
    """Versions added, removed, and each field changed, by language; `name` says where
    (“Welcome” (variant A))."""
    old = before if isinstance(before, Mapping) else {}
    new = after if isinstance(after, Mapping) else {}
    texts = []
    for code in new:
        if code not in old:
            texts.append(f"Added the {_language(code)} version of {name}")
    for code in old:
        if code not in new:
            texts.append(f"Removed the {_language(code)} version of {name}")
    for code, fields in new.items():
        previous = old.get(code)
        if not isinstance(previous, Mapping) or not isinstance(fields, Mapping):
            continue
        for key in [*previous, *(k for k in fields if k not in previous)]:
            if previous.get(key) == fields.get(key):
                continue
            texts.append(
                f"Changed the {_language(code)} {field(key)} of {name} from "
                f"{show(key, previous.get(key))} to {show(key, fields.get(key))}"
            )
    return texts


def _language(code: Any) -> str:
    return language_name(str(code)) or str(code)
