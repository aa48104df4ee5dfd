"""Sources, their write keys and identity secrets.

Write keys are created once, shown once, stored hashed and revocable. Identity secrets sign
user ids (docs/security.md); they are stored readable so staff can copy them, and rotate
with an overlap: the old one keeps working until it is retired."""

from __future__ import annotations

import hashlib
import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.utils import timezone

from journeys.models import IdentitySecret, Source
from journeys.people.audit import audit_record

KEY_PREFIX = "sw_"
_PREFIX_LENGTH = 10
IDENTITY_SECRET_PREFIX = "swid_"  # noqa: S105 (a prefix, not a secret)
# Unknown keys are cached too (so a flood of bad keys costs no query each), which is why
# the cache is bounded: least recently used entries go first.
KEY_CACHE_SIZE = 10_000

Actor = AbstractBaseUser | AnonymousUser | None


@dataclass(frozen=True, slots=True)
class CachedSource:
    """What every API request needs of its source, kept in process memory."""

    id: int
    name: str
    allowed_origins: tuple[str, ...]
    identity_secrets: tuple[str, ...] = ()
    identity_verification: bool = True

    @property
    def is_browser(self) -> bool:
        """A browser source's write key is publishable (it ships in web pages)."""
        return bool(self.allowed_origins)

    @property
    def requires_user_hash(self) -> bool:
        """Browser sources always verify identities; server sources unless turned off."""
        return self.is_browser or self.identity_verification


# write-key digest → (when looked up, the source or None for an unknown key), LRU order
_cache: OrderedDict[str, tuple[float, CachedSource | None]] = OrderedDict()
_origins: dict[str, tuple[float, frozenset[str]]] = {}


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def source_cache_clear() -> None:
    """Forget cached sources in this process (other processes within the cache TTL)."""
    _cache.clear()
    _origins.clear()


@transaction.atomic
def source_create(*, name: str, allowed_origins: list[str] | None = None) -> tuple[Source, str]:
    """Create a source with its first identity secret; return it with its write key, which
    is never shown again."""
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
    _new_identity_secret(source)
    source_cache_clear()
    return source, key


def source_revoke(*, source: Source, by: Actor = None, actor_label: str = "") -> Source:
    """Revoke a source's write key; API calls with it fail once caches expire."""
    with transaction.atomic():
        if source.revoked_at is None:
            source.revoked_at = timezone.now()
            source.save(update_fields=["revoked_at"])
            audit_record(
                action="write_key.revoked",
                summary=f"Revoked the write key of {source.name} ({source.key_prefix}…)",
                by=by,
                actor_label=actor_label,
                diff={"source_id": source.pk},
            )
    source_cache_clear()
    return source


def _new_identity_secret(source: Source) -> IdentitySecret:
    return IdentitySecret.objects.create(
        source=source,
        secret=IDENTITY_SECRET_PREFIX + secrets.token_hex(32),
        created_at=timezone.now(),
    )


def identity_secret_active(*, source: Source) -> IdentitySecret:
    """The newest active identity secret of a source (made when a source has none)."""
    with transaction.atomic():
        Source.objects.select_for_update().filter(pk=source.pk).first()
        current = source.identity_secrets.filter(retired_at__isnull=True).first()
        return current if current is not None else _new_identity_secret(source)


@transaction.atomic
def identity_secret_rotate(*, source: Source, by: Actor = None, actor_label: str = "") -> str:
    """Make a new identity secret; the old ones keep verifying until retired. Returns it."""
    Source.objects.select_for_update().filter(pk=source.pk).first()
    secret = _new_identity_secret(source)
    audit_record(
        action="identity_secret.rotated",
        summary=f"New identity secret for {source.name}; the previous one still works "
        "until it is retired",
        by=by,
        actor_label=actor_label,
        diff={"source_id": source.pk, "secret_id": secret.pk},
    )
    transaction.on_commit(source_cache_clear)
    return secret.secret


@transaction.atomic
def identity_secret_retire_old(*, source: Source, by: Actor = None, actor_label: str = "") -> int:
    """Retire every identity secret but the newest; return how many were retired."""
    Source.objects.select_for_update().filter(pk=source.pk).first()
    active = list(source.identity_secrets.filter(retired_at__isnull=True))
    old = [secret.pk for secret in active[1:]]
    retired = IdentitySecret.objects.filter(pk__in=old).update(retired_at=timezone.now())
    if retired:
        audit_record(
            action="identity_secret.retired",
            summary=f"Retired {retired} old identity secret(s) of {source.name}",
            by=by,
            actor_label=actor_label,
            diff={"source_id": source.pk, "secret_ids": old},
        )
    transaction.on_commit(source_cache_clear)
    return retired


def _remember(digest: str, now: float, cached: CachedSource | None) -> None:
    _cache[digest] = (now, cached)
    _cache.move_to_end(digest)
    while len(_cache) > KEY_CACHE_SIZE:
        _cache.popitem(last=False)


def _load(digest: str) -> CachedSource | None:
    row = (
        Source.objects.filter(key_hash=digest, revoked_at__isnull=True)
        .values_list("id", "name", "allowed_origins", "identity_verification")
        .first()
    )
    if row is None:
        return None
    secrets_ = IdentitySecret.objects.filter(source_id=row[0], retired_at__isnull=True)
    return CachedSource(
        id=row[0],
        name=row[1],
        allowed_origins=tuple(row[2] or ()),
        identity_secrets=tuple(secrets_.values_list("secret", flat=True)),
        identity_verification=row[3],
    )


def source_for_key(key: str) -> CachedSource | None:
    """The active source behind a write key, cached per process for a few seconds."""
    if not key or len(key) > 200:
        return None
    digest = hash_key(key)
    ttl = settings.EVENT_API_KEY_CACHE_SECONDS
    now = time.monotonic()
    hit = _cache.get(digest)
    if hit is not None and now - hit[0] < ttl:
        _cache.move_to_end(digest)
        return hit[1]
    cached = _load(digest)
    _remember(digest, now, cached)
    return cached


def browser_origins() -> frozenset[str]:
    """Every origin some active source allows: what a CORS preflight may be told yes to."""
    now = time.monotonic()
    hit = _origins.get("all")
    if hit is not None and now - hit[0] < settings.EVENT_API_KEY_CACHE_SECONDS:
        return hit[1]
    origins: set[str] = set()
    for allowed in Source.objects.filter(revoked_at__isnull=True).values_list(
        "allowed_origins", flat=True
    ):
        origins.update(o for o in (allowed or ()) if isinstance(o, str))
    result = frozenset(origins)
    _origins["all"] = (now, result)
    return result
