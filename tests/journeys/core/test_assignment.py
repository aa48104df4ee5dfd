"""Stable variant and split assignment: a hash of (contact, journey, step), no coin toss."""

from __future__ import annotations

from collections import Counter

from journeys.core.engine import choose_path, choose_variant, stable_bucket
from tests.journeys.core.helpers import journey

AB = journey(
    [
        {
            "id": "m",
            "type": "message",
            "channel": "sms",
            "variants": [
                {"name": "A", "body": "a"},
                {"name": "B", "weight": 3, "body": "b"},
                {"name": "off", "weight": 0, "body": "c"},
            ],
        },
    ]
)
SPLIT = journey(
    [
        {
            "id": "s",
            "type": "split",
            "paths": [{"percent": 90, "next": "e"}, {"percent": 10, "next": "e"}],
        },
        {"id": "e", "type": "exit"},
    ]
)


def test_stable_bucket_is_a_fixed_function_of_its_inputs():
    assert stable_bucket(42, "welcome", "hello", 100) == 19
    assert stable_bucket("ada", "welcome", "hello", 1000) == 739


def test_same_contact_same_variant_on_every_run():
    picks = {choose_variant(1, "test", AB.steps[0]).name for _ in range(20)}
    assert picks == {"A"}
    assert choose_variant(1, "test", AB.steps[0]).name == "A"
    assert choose_variant(0, "test", AB.steps[0]).name == "B"


def test_variants_follow_their_weights_and_weight_zero_is_never_sent():
    counts = Counter(choose_variant(i, "test", AB.steps[0]).name for i in range(1000))
    assert counts == {"A": 271, "B": 729}


def test_split_follows_its_percents():
    counts = Counter(choose_path(i, "test", SPLIT.steps[0]) for i in range(1000))
    assert counts == {0: 906, 1: 94}


def test_string_and_integer_contact_ids_are_hashed_as_text():
    assert stable_bucket(42, "welcome", "hello", 100) == stable_bucket(
        "42", "welcome", "hello", 100
    )
