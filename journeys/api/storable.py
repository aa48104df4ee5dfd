"""What a JSON body may hold so that every database can store it and every later step can
serialise it: no lone surrogates, no NUL characters, no nesting deeper than 32 levels, and
only finite numbers (Python's parser reads NaN, Infinity and 1e999, which PostgreSQL
refuses)."""

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
# without any of these need no walk (for nesting, see may_be_too_deep).
_SUSPECT = re.compile(rb"\\u(?:[dD][89a-fA-F][0-9a-fA-F]{2}|0000)|NaN|Infinity|[eE]\+?[0-9]{3}")
_ESCAPE = re.compile(rb"\\.", re.DOTALL)
_NOT_STRUCTURE = bytes(sorted(set(range(256)) - set(b'[]{}"')))
_STRING = re.compile(rb'"[^"]*"')
_INNERMOST = re.compile(rb"\{\}|\[\]")


def may_be_unstorable(body: bytes) -> bool:
    return _SUSPECT.search(body) is not None


def may_be_too_deep(body: bytes) -> bool:
    """True when the JSON text nests more than MAX_DEPTH containers (or may): the brackets
    outside strings, looked at in C-speed passes (about 10 ms for a 500 KB batch)."""
    if body.count(b"{") + body.count(b"[") <= MAX_DEPTH:
        return False
    if b"\\" in body:
        body = _ESCAPE.sub(b"", body)  # no escaped quote may end a string early
    brackets = _STRING.sub(b"", body.translate(None, _NOT_STRUCTURE))
    for _ in range(MAX_DEPTH):  # each pass takes away the innermost level
        if not brackets:
            return False
        brackets = _INNERMOST.sub(b"", brackets)
    return bool(brackets)


def needs_walk(body: bytes) -> bool:
    """Whether `unstorable` must look at the parsed body (most bodies need no walk)."""
    return may_be_unstorable(body) or may_be_too_deep(body)


def body_problem(body: bytes) -> tuple[str, str] | None:
    """(field, reason) when a JSON body holds text no database can store, or nests too
    deep, else None."""
    if not needs_walk(body):
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
    """(field, reason) for the first value no database can store, else None. A value too
    deep is named by its field two levels down (`traits.settings`), not its whole path."""
    stack: list[tuple[Any, str, int, str]] = [(value, path, 0, path)]
    while stack:
        item, where, depth, named = stack.pop()
        if depth > MAX_DEPTH:
            return named or "body", TOO_DEEP
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
                stack.append((child, name, depth + 1, name if depth < 2 else named))
        elif isinstance(item, list):
            stack.extend(
                (child, f"{where}[{i}]", depth + 1, f"{where}[{i}]" if depth < 2 else named)
                for i, child in enumerate(item)
            )
    return None
