"""The core's email rule answers as Django's validate_email does (the API used it before)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import given
from hypothesis import strategies as st

from journeys.core.emails import is_email


def _django_says(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    "value",
    [
        "ada@example.com",
        "ADA@Example.COM",
        "a.b+c@sub.example.co.uk",
        '"quoted name"@example.com',
        "ada@localhost",
        "ada@[127.0.0.1]",
        "ada@[::1]",
        "ada@[999.1.1.1]",
        "zoé@exämple.fr",
        "ada@xn--bcher-kva.example",
        "ada@-example.com",
        "ada@example",
        "ada@@example.com",
        "ada example@example.com",
        "",
        "@example.com",
        "ada@" + "a" * 64 + ".com",
        "a" * 310 + "@example.com",
    ],
)
def test_known_addresses_get_djangos_answer(value):
    assert is_email(value) == _django_says(value)


@given(st.from_regex(r"\A[A-Za-z0-9.+\"_@\[\]:-]{0,12}@[A-Za-z0-9.:\[\]-]{0,20}\Z", fullmatch=True))
def test_generated_addresses_get_djangos_answer(value):
    assert is_email(value) == _django_says(value)
