"""Rate limits for the event API, kept in the cache (shared by every process when
REDIS_URL is set, per process otherwise).

- `EVENT_API_RATE_LIMIT` events per second per source, with a burst of the same size (a
  one-second window): past it, 429 with `Retry-After`, and nothing of the request stored.
- `EVENT_API_AUTH_FAILURES_PER_MINUTE` failed authentications per client address: past
  it, every request from that address is refused with 429 until the minute is over, so
  keys cannot be guessed at speed.

Both fail open: when the cache (Redis) is unreachable the request is let through and the
outage logged, since refusing events would lose them and the limits protect capacity, not
data (tests/onboarding/test_faults.py stops Redis while events arrive)."""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def _count(key: str, amount: int, ttl: int) -> int:
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=ttl)
        return amount


def events_allow(*, source_id: int, events: int, now: float | None = None) -> None:
    """Take `events` from the source's budget for this second, or raise RateLimited."""
    limit = int(settings.EVENT_API_RATE_LIMIT)
    if limit <= 0 or events <= 0:
        return
    now = time.time() if now is None else now
    second = int(now)
    key = f"stepwise:rate:{source_id}:{second}"
    try:
        used = _count(key, events, ttl=5)
        if used > limit:
            cache.decr(key, events)
    except Exception:  # noqa: BLE001 - the cache is down: let the events in (see above)
        logger.warning("api.rate_limit_unavailable", exc_info=True)
        return
    if used > limit:
        raise RateLimited(
            f"Too many events: this source may send {limit} per second. Retry shortly.",
            retry_after=max(1, math.ceil(second + 1 - now)),
        )


def client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def _failure_key(address: str, now: float) -> str:
    return f"stepwise:authfail:{address}:{int(now // _WINDOW_SECONDS)}"


def auth_failures_exceeded(address: str, *, now: float | None = None) -> int | None:
    """Seconds to wait when `address` failed to authenticate too often, else None."""
    limit = int(settings.EVENT_API_AUTH_FAILURES_PER_MINUTE)
    if limit <= 0:
        return None
    now = time.time() if now is None else now
    try:
        failures = int(cache.get(_failure_key(address, now), 0))
    except Exception:  # noqa: BLE001 - the cache is down: fail open (see above)
        logger.warning("api.auth_limit_unavailable", exc_info=True)
        return None
    if failures < limit:
        return None
    return max(1, math.ceil(_WINDOW_SECONDS - now % _WINDOW_SECONDS))


def auth_failure_record(address: str, *, now: float | None = None) -> None:
    if int(settings.EVENT_API_AUTH_FAILURES_PER_MINUTE) <= 0:
        return
    now = time.time() if now is None else now
    try:
        _count(_failure_key(address, now), 1, ttl=_WINDOW_SECONDS * 2)
    except Exception:  # noqa: BLE001 - the cache is down: fail open (see above)
        logger.warning("api.auth_limit_unavailable", exc_info=True)
