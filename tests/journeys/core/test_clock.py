from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from journeys.core.clock import FakeClock, SystemClock
from tests.journeys.core.helpers import HOUR, T0


def test_fake_clock_moves_only_when_told():
    clock = FakeClock(T0)
    assert clock.now() == T0
    assert clock.set(T0 + HOUR) == T0 + HOUR
    assert clock.now() == T0 + HOUR


def test_fake_clock_converts_to_utc():
    paris_noon = datetime(2026, 11, 25, 12, 0, tzinfo=timezone(timedelta(hours=1)))
    assert FakeClock(paris_noon).now() == datetime(2026, 11, 25, 11, 0, tzinfo=UTC)
    assert FakeClock(paris_noon).now().tzinfo is UTC


def test_fake_clock_set_never_goes_back():
    clock = FakeClock(T0)
    assert clock.set(T0 + HOUR) == T0 + HOUR
    assert clock.set(T0) == T0 + HOUR


def test_fake_clock_refuses_naive_times():
    with pytest.raises(ValueError, match="FakeClock needs an aware datetime"):
        FakeClock(datetime(2026, 11, 25))  # noqa: DTZ001
    with pytest.raises(ValueError, match="FakeClock needs an aware datetime"):
        FakeClock(T0).set(datetime(2026, 11, 25))  # noqa: DTZ001


def test_system_clock_is_aware_utc():
    assert SystemClock().now().tzinfo is UTC
