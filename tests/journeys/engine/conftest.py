from __future__ import annotations

import pytest

from journeys.spec import JourneySpec, parse_journey
from tests.journeys.engine.helpers import welcome_doc


@pytest.fixture
def welcome() -> JourneySpec:
    return parse_journey(welcome_doc())
