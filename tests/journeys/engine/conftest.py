from __future__ import annotations

import pytest

from journeys.format import parse_journey
from journeys.spec import JourneySpec
from tests.journeys.engine.helpers import welcome_doc


@pytest.fixture
def welcome() -> JourneySpec:
    return parse_journey(welcome_doc())
