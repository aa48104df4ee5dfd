"""What a JSON body may hold so that every database can store it and every later step can
serialise it: no lone surrogates, no NUL characters, no absurd nesting, and only finite
numbers (Python's parser reads NaN, Infinity and 1e999, which PostgreSQL refuses)."""

from __future__ import annotations

import json
import math
import re
from typing import Any

MAX_DEPTH = 32
UNSTORABLE = "contains a character that cannot be stored (a lone surrogate or NUL)"
TOO_DEEP = f"is nested more than {MAX_DEPTH} levels deep"
NOT_FINITE = "must be a finite number (NaN, Infinity and numbers past 1e308 cannot be stored)"


# JSON text can only carry a surrogate or NUL as a \u escape (raw ones are invalid UTF-8
# or invalid JSON), and a non-finite number as NaN, Infinity or a big exponent, so bodies
# without any of these need no walk.
_SUSPECT = re.compile(rb"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)|NaN|Infinity|[eE]\+?[0-9]{3}")


def may_be_unstorable(body: bytes) -> bool:
    return _SUSPECT.search(body) is not None


def body_problem(body: bytes) -> tuple[str, str] | None:
    """(field, reason) when a JSON body holds text no database can store, else None."""
    if not may_be_unstorable(body):
        return None
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return None  # the parser answers for malformed JSON
    return unstorable(data)


def _bad(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def unstorable(value: Any, path: str = "") -> tuple[str, str] | None:
    """(dotted field, reason) for the first value no database can store, else None."""
    stack: list[tuple[Any, str, int]] = [(value, path, 0)]
    while stack:
        item, where, depth = stack.pop()
        if depth > MAX_DEPTH:
            return where or "body", TOO_DEEP
        if isinstance(item, str):
            if _bad(item):
                return where or "body", UNSTORABLE
        elif isinstance(item, float) and not math.isfinite(item):
            return where or "body", NOT_FINITE
        elif isinstance(item, dict):
            for key, child in item.items():
                name = f"{where}.{key}" if where else str(key)
                if _bad(str(key)):
                    return where or "body", UNSTORABLE
                stack.append((child, name, depth + 1))
        elif isinstance(item, list):
            stack.extend((child, f"{where}[{i}]", depth + 1) for i, child in enumerate(item))
    return None
