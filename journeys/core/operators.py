"""The condition language's operators: a registry of comparisons (`eq`, `in`, `gt`,
`performed`, …), each saying what value it takes, its words, and what it tests.

A new operator is a class decorated with `@register`; parsing, evaluation, the builder's
picker and the words in a trace all read it from `OPERATORS`.
"""

from __future__ import annotations

from typing import Any, ClassVar

MISSING: Any = type("Missing", (), {"__repr__": lambda self: "(not set)"})()


class Operator:
    """One op: `takes` says what value it needs ("none", "scalar", "list", "comparable")."""

    key: ClassVar[str]
    takes: ClassVar[str]
    words: ClassVar[str]
    for_events: ClassVar[bool] = False

    def test(self, seen: Any, value: Any) -> bool:
        raise NotImplementedError


OPERATORS: dict[str, Operator] = {}


def register(cls: type[Operator]) -> type[Operator]:
    """Add an operator to the registry; refuses a duplicate or incomplete one."""
    key = getattr(cls, "key", "")
    if not key or key in OPERATORS:
        raise ValueError(f"operator {key!r} is missing a key or registered twice")
    if getattr(cls, "takes", None) not in ("none", "scalar", "list", "comparable"):
        raise ValueError(f"operator {key!r} must say what value it takes")
    OPERATORS[key] = cls()
    return cls


def _present(seen: Any) -> bool:
    return seen is not MISSING and seen is not None and seen != ""


def _same(seen: Any, value: Any) -> bool:
    # True == 1 in Python; a trait "true" must not equal 1.
    return isinstance(seen, bool) == isinstance(value, bool) and seen == value


@register
class Eq(Operator):
    key, takes, words = "eq", "scalar", "is"

    def test(self, seen: Any, value: Any) -> bool:
        return _same(seen, value)


@register
class Ne(Operator):
    key, takes, words = "ne", "scalar", "is not"

    def test(self, seen: Any, value: Any) -> bool:
        return not _same(seen, value)


@register
class In(Operator):
    key, takes, words = "in", "list", "is in"

    def test(self, seen: Any, value: Any) -> bool:
        return any(_same(seen, item) for item in value)


@register
class NotIn(Operator):
    key, takes, words = "not_in", "list", "is not in"

    def test(self, seen: Any, value: Any) -> bool:
        return not any(_same(seen, item) for item in value)


@register
class Contains(Operator):
    key, takes, words = "contains", "scalar", "contains"

    def test(self, seen: Any, value: Any) -> bool:
        if isinstance(seen, str):
            return str(value) in seen
        if isinstance(seen, list | tuple):
            return any(_same(item, value) for item in seen)
        return False


@register
class Exists(Operator):
    key, takes, words = "exists", "none", "is set"

    def test(self, seen: Any, value: Any) -> bool:
        return _present(seen)


@register
class NotExists(Operator):
    key, takes, words = "not_exists", "none", "is not set"

    def test(self, seen: Any, value: Any) -> bool:
        return not _present(seen)


def _comparable(seen: Any, value: Any) -> bool:
    numbers = (int, float)
    if isinstance(seen, bool) or isinstance(value, bool):
        return False
    both_numbers = isinstance(seen, numbers) and isinstance(value, numbers)
    return both_numbers or (isinstance(seen, str) and isinstance(value, str))


@register
class Gt(Operator):
    key, takes, words = "gt", "comparable", "is greater than"

    def test(self, seen: Any, value: Any) -> bool:
        return _comparable(seen, value) and seen > value


@register
class Gte(Operator):
    key, takes, words = "gte", "comparable", "is at least"

    def test(self, seen: Any, value: Any) -> bool:
        return _comparable(seen, value) and seen >= value


@register
class Lt(Operator):
    key, takes, words = "lt", "comparable", "is less than"

    def test(self, seen: Any, value: Any) -> bool:
        return _comparable(seen, value) and seen < value


@register
class Lte(Operator):
    key, takes, words = "lte", "comparable", "is at most"

    def test(self, seen: Any, value: Any) -> bool:
        return _comparable(seen, value) and seen <= value


@register
class Performed(Operator):
    """`seen` is the number of matching events."""

    key, takes, words, for_events = "performed", "none", "was performed", True

    def test(self, seen: Any, value: Any) -> bool:
        return bool(seen)


@register
class NotPerformed(Operator):
    key, takes, words, for_events = "not_performed", "none", "was not performed", True

    def test(self, seen: Any, value: Any) -> bool:
        return not seen
