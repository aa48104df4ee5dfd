"""Stable assignment of contacts to message variants and split paths. Pure, no randomness.

The same contact, journey and step always get the same answer, so a re-run, a dry run
and a backtest agree with what really happened.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Protocol

from journeys.core.spec import Variant


class _Weighted(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def variants(self) -> tuple[Variant, ...]: ...


class _Path(Protocol):
    @property
    def percent(self) -> int: ...


class _Split(Protocol):
    @property
    def id(self) -> str: ...
    @property
    def paths(self) -> Sequence[_Path]: ...


def stable_bucket(contact_id: int | str, journey_key: str, step_id: str, buckets: int) -> int:
    """A number in [0, buckets) fixed by (contact, journey, step): same input, same answer.

    The first 8 bytes of SHA-256 over the three values; no random module, no seed.
    """
    text = f"{contact_id}\x1f{journey_key}\x1f{step_id}"
    digest = hashlib.sha256(text.encode()).digest()
    return int.from_bytes(digest[:8], "big") % buckets


def choose_variant(contact_id: int | str, journey_key: str, step: _Weighted) -> Variant:
    """The contact's variant of a message step, by weight, stable across re-runs."""
    total = sum(variant.weight for variant in step.variants)
    bucket = stable_bucket(contact_id, journey_key, step.id, total)
    for variant in step.variants:
        if bucket < variant.weight:
            return variant
        bucket -= variant.weight
    raise AssertionError("unreachable: weights add up to total")


def choose_path(contact_id: int | str, journey_key: str, step: _Split) -> int:
    """The index of the contact's path through a split, stable across re-runs."""
    bucket = stable_bucket(contact_id, journey_key, step.id, 100)
    for index, path in enumerate(step.paths):
        if bucket < path.percent:
            return index
        bucket -= path.percent
    raise AssertionError("unreachable: percents add up to 100")
