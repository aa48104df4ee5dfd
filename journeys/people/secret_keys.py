"""Secret server keys: read, export and erase contacts. Created once, shown once, stored
hashed (SHA-256: they are 32 random bytes), revocable; every action audited."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from journeys.models import SecretKey
from journeys.people.audit import audit_record
from journeys.people.sources import Actor, hash_key

SECRET_KEY_PREFIX = "sk_"  # noqa: S105 (a prefix, not a secret)
_PREFIX_LENGTH = 10
_CACHE_SIZE = 10_000


@dataclass(frozen=True, slots=True)
class CachedSecretKey:
    id: int
    name: str


_cache: OrderedDict[str, tuple[float, CachedSecretKey | None]] = OrderedDict()


@transaction.atomic
def secret_key_create(
    *, name: str, by: Actor = None, actor_label: str = ""
) -> tuple[SecretKey, str]:
    """Create a secret key; return it with the key itself, which is never shown again."""
    name = name.strip()
    if not name:
        raise ValueError("A secret key needs a name (who uses it).")
    key = SECRET_KEY_PREFIX + secrets.token_urlsafe(32)
    record = SecretKey.objects.create(
        name=name,
        key_prefix=key[:_PREFIX_LENGTH],
        key_hash=hash_key(key),
        created_at=timezone.now(),
        created_by=_label(by, actor_label),
    )
    audit_record(
        action="secret_key.created",
        summary=f"Created secret key {name} ({record.key_prefix}…)",
        by=by,
        actor_label=actor_label,
        diff={"secret_key_id": record.pk},
    )
    return record, key


def secret_key_revoke(*, key: SecretKey, by: Actor = None, actor_label: str = "") -> SecretKey:
    """Revoke a secret key; calls with it fail once caches expire (seconds)."""
    with transaction.atomic():
        if key.revoked_at is None:
            key.revoked_at = timezone.now()
            key.save(update_fields=["revoked_at"])
            audit_record(
                action="secret_key.revoked",
                summary=f"Revoked secret key {key.name} ({key.key_prefix}…)",
                by=by,
                actor_label=actor_label,
                diff={"secret_key_id": key.pk},
            )
    _cache.clear()
    return key


def secret_key_for(key: str) -> CachedSecretKey | None:
    """The active secret key behind `key`, cached per process (bounded, LRU)."""
    if not key.startswith(SECRET_KEY_PREFIX) or len(key) > 200:
        return None
    digest = hash_key(key)
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and now - hit[0] < settings.EVENT_API_KEY_CACHE_SECONDS:
        _cache.move_to_end(digest)
        return hit[1]
    row = (
        SecretKey.objects.filter(key_hash=digest, revoked_at__isnull=True)
        .values_list("id", "name")
        .first()
    )
    cached = CachedSecretKey(id=row[0], name=row[1]) if row else None
    _cache[digest] = (now, cached)
    _cache.move_to_end(digest)
    while len(_cache) > _CACHE_SIZE:
        _cache.popitem(last=False)
    return cached


def _label(by: Actor, actor_label: str) -> str:
    if by is not None and by.is_authenticated:
        return by.get_username()
    return actor_label or "system"
