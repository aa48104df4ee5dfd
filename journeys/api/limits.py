"""Rate limits for the event API, kept in the cache (shared by every process when
REDIS_URL is set, per process otherwise). Each budget is so many events per second with a
burst of the same size (a one-second window); past it, 429 with `Retry-After`, and nothing
of the request is stored.

- Events sent with a *server* source's key: `EVENT_API_RATE_LIMIT` per source.
- Events sent with a *browser* source's (publishable) key: their own
  `EVENT_API_BROWSER_RATE_LIMIT` per source, and within it
  `EVENT_API_BROWSER_CLIENT_RATE_LIMIT` per contact (an event naming a user, whose hash
  was verified) or per client address (an anonymous event). A flood with the public key
  from one place spends its own small share, never the server events' budget.
- A batch with more events for one budget than that budget holds can never pass: it is
  refused with 413 and the maximum, instead of 429 forever.
- `EVENT_API_AUTH_FAILURES_PER_MINUTE` failed authentications per client address: past
  it, every request from that address is refused with 429 until the minute is over, so
  keys cannot be guessed at speed.

The client address is the one behind the deployment's trusted proxies
(onboarding/client_address.py). Every limit fails open: when the cache (Redis) is
unreachable the request is let through and the outage logged, since refusing events would
lose them and the limits protect capacity, not data (tests/onboarding/test_faults.py stops
Redis while events arrive)."""

from __future__ import annotations

import hashlib
import logging
import math
import time
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

from journeys.people.ingest import Incoming
from journeys.people.sources import CachedSource

_WINDOW_SECONDS = 60
logger = logging.getLogger(__name__)


class RateLimited(Exception):
    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class BatchOverBudget(Exception):
    """A batch bigger than a whole second's budget: smaller batches would pass."""

    def __init__(self, message: str, maximum: int) -> None:
        super().__init__(message)
        self.maximum = maximum


@dataclass(frozen=True)
class Budget:
    key: str
    limit: int
    words: str  # whose budget, for the refusal: "this source's server events"


def _count(key: str, amount: int, ttl: int) -> int:
    cache.add(key, 0, timeout=ttl)
    try:
        return cache.incr(key, amount)
    except ValueError:  # expired between add and incr
        cache.set(key, amount, timeout=ttl)
        return amount


def _user_key(user_id: str) -> str:
    return hashlib.sha256(user_id.encode()).hexdigest()[:32]


def budgets_for(
    source: CachedSource, messages: Iterable[Incoming], address: str
) -> Counter[Budget]:
    """How many events the messages take from which budget (budgets at 0 are left out)."""
    messages = list(messages)
    demands: Counter[Budget] = Counter()
    if not source.is_browser:
        server = Budget(f"{source.id}", int(settings.EVENT_API_RATE_LIMIT), "this source")
        demands[server] = len(messages)
    else:
        browser_limit = int(settings.EVENT_API_BROWSER_RATE_LIMIT)
        browser = Budget(f"{source.id}:browser", browser_limit, "this source's browser key")
        demands[browser] = len(messages)
        each = int(settings.EVENT_API_BROWSER_CLIENT_RATE_LIMIT)
        for message in messages:
            if message.user_id is not None:
                key = f"{source.id}:user:{_user_key(message.user_id)}"
                demands[Budget(key, each, "one user with the browser key")] += 1
            else:
                key = f"{source.id}:address:{address}"
                demands[Budget(key, each, "one address with the browser key")] += 1
    return Counter({budget: n for budget, n in demands.items() if budget.limit > 0 and n})


def budgets_take(demands: Counter[Budget], *, now: float | None = None) -> None:
    """Take every demand from this second's budgets, or none: BatchOverBudget when one
    demand exceeds its whole budget, RateLimited when a budget is spent for this second."""
    for budget, wanted in demands.items():
        if wanted > budget.limit:
            raise BatchOverBudget(
                f"Too many events in one request: {budget.words} may send {budget.limit} per "
                f"second and this request has {wanted}. Send them in smaller batches.",
                maximum=budget.limit,
            )
    now = time.time() if now is None else now
    second = int(now)
    taken: list[tuple[str, int]] = []
    try:
        for budget, wanted in demands.items():
            key = f"stepwise:rate:{budget.key}:{second}"
            used = _count(key, wanted, ttl=5)
            taken.append((key, wanted))
            if used > budget.limit:
                for spent_key, amount in taken:
                    cache.decr(spent_key, amount)
                raise RateLimited(
                    f"Too many events: {budget.words} may send {budget.limit} per second. "
                    "Retry shortly.",
                    retry_after=max(1, math.ceil(second + 1 - now)),
                )
    except RateLimited:
        raise
    except Exception:  # noqa: BLE001 - the cache is down: let the events in (see above)
        logger.warning("api.rate_limit_unavailable", exc_info=True)


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
