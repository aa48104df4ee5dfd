from __future__ import annotations

import pytest

import tests.hypothesis_profile  # noqa: F401 - also when run alone, without tests/conftest.py
from journeys.core.format import parse_journey
from journeys.core.spec import JourneySpec
from tests.journeys.core.helpers import welcome_doc


@pytest.fixture
def welcome() -> JourneySpec:
    return parse_journey(welcome_doc())
