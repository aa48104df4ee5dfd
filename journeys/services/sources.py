"""Sources and their write keys: created once, shown once, stored hashed, revocable."""

from __future__ import annotations

import hashlib
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from journeys.models import Source

KEY_PREFIX = "sw_"
_PREFIX_LENGTH = 10


@dataclass(frozen=True, slots=True)
class CachedSource:
    """What every API request needs of its source, kept in process memory."""

    id: int
    name: str
    allowed_origins: tuple[str, ...]


# write-key digest → (when looked up, the source or None for an unknown key)
_cache: dict[str, tuple[float, CachedSource | None]] = {}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def source_create(*, name: str, allowed_origins: list[str] | None = None) -> tuple[Source, str]:
    """Create a source; return it with its write key, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValueError("A source needs a name.")
    key = KEY_PREFIX + secrets.token_urlsafe(24)
    source = Source.objects.create(
        name=name,
        key_prefix=key[:_PREFIX_LENGTH],
        key_hash=hash_key(key),
        allowed_origins=list(allowed_origins or []),
    )
    return source, key


def source_revoke(*, source: Source) -> Source:
    """Revoke a source's write key; API calls with it fail once caches expire."""
    if source.revoked_at is None:
        source.revoked_at = timezone.now()
        source.save(update_fields=["revoked_at"])
    _cache.clear()
    return source


def source_for_key(key: str) -> CachedSource | None:
    """The active source behind a write key, cached per process for a few seconds."""
    if not key or len(key) > 200:
        return None
    digest = hash_key(key)
    ttl = settings.EVENT_API_KEY_CACHE_SECONDS
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and now - hit[0] < ttl:
        return hit[1]
    row = (
        Source.objects.filter(key_hash=digest, revoked_at__isnull=True)
        .values_list("id", "name", "allowed_origins")
        .first()
    )
    cached = (
        None
        if row is None
        else CachedSource(id=row[0], name=row[1], allowed_origins=tuple(row[2] or ()))
    )
    _cache[digest] = (now, cached)
    return cached
