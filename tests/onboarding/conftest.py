"""Fixtures for the tests that run Stepwise as real processes (tests/onboarding/stack.py)."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from tests.fakes.http import FakePostmark
from tests.journeys.runtime.conftest import WELCOME

from .stack import Processes


@pytest.fixture
def processes(tmp_path) -> Iterator[Processes]:
    """Whatever the test starts is stopped at the end, passed or failed."""
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        sys.stdout.write(started.logs())  # shown when the test fails
        started.stop_all()


@pytest.fixture
def postmark() -> Iterator[FakePostmark]:
    """A fake Postmark on 127.0.0.1; the workers use the real anymail backend against it."""
    server = FakePostmark(record=False).start()
    yield server
    server.stop()


@pytest.fixture
def welcome_live(transactional_db) -> str:
    """The issue's welcome journey, live, and a source: its write key."""
    journey_import(data=WELCOME, publish=True)
    _source, key = source_create(name="Product")
    return key
