"""Web Push (browsers): checking a subscription a browser hands us, and sending to it with
pywebpush (RFC 8291 aes128gcm payload encryption, RFC 8292 VAPID).

A subscription's endpoint comes from a browser, so it is untrusted: its host must be a
known push service (PUSH_SERVICE_HOSTS) and no redirect is ever followed."""

from __future__ import annotations

import base64
import binascii
import json
import threading
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

import requests
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.utils import timezone
from py_vapid import Vapid
from pywebpush import WebPushException, webpush

# The push services of Chrome (FCM), Firefox, Safari and Edge; a host matches itself and
# its subdomains (Edge's are wns2-*.notify.windows.com).
DEFAULT_PUSH_SERVICE_HOSTS = (
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "push.apple.com",
    "notify.windows.com",
)
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


@dataclass(frozen=True)
class Outcome:
    """What one device's push service said: "ok", "gone" (forget the device), "failed"
    (this delivery only) or "retry" (later, not before `retry_after` seconds)."""

    result: str
    words: str = ""
    retry_after: float | None = None


class SubscriptionProblem(ValueError):
    """A browser subscription we refuse: `field` is the part that is wrong, `reason` what
    is wrong with it (read as "<field> <reason>")."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field, self.reason = field, reason


def push_service_hosts() -> list[str]:
    hosts = getattr(settings, "PUSH_SERVICE_HOSTS", None)
    return [h.strip().lower() for h in (hosts or DEFAULT_PUSH_SERVICE_HOSTS) if h.strip()]


def endpoint_allowed(endpoint: str) -> bool:
    """https to a known push service (plain http only to a loopback test service)."""
    try:
        parts = urlsplit(endpoint)
        host = (parts.hostname or "").lower()
    except ValueError:
        return False
    if parts.username or parts.password or not host:
        return False
    if parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK):
        return False
    return any(host == known or host.endswith("." + known) for known in push_service_hosts())


def _b64(value: Any, field: str) -> bytes:
    if not isinstance(value, str) or not value:
        raise SubscriptionProblem(field, "is missing")
    try:
        return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        raise SubscriptionProblem(field, "is not base64url text") from None


def subscription_check(data: Any) -> tuple[str, str, str]:
    """(endpoint, p256dh, auth) from PushSubscription.toJSON(), or SubscriptionProblem."""
    if not isinstance(data, dict):
        raise SubscriptionProblem("body", "must be the browser's PushSubscription.toJSON()")
    endpoint = data.get("endpoint")
    if not isinstance(endpoint, str) or not endpoint or len(endpoint) > 2000:
        raise SubscriptionProblem("endpoint", "is missing or longer than 2000 characters")
    if not endpoint_allowed(endpoint):
        raise SubscriptionProblem("endpoint", "is not the address of a known browser push service")
    keys = data.get("keys")
    if not isinstance(keys, dict):
        raise SubscriptionProblem("keys", "must hold the p256dh and auth keys")
    point = _b64(keys.get("p256dh"), "p256dh")
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise SubscriptionProblem("p256dh", "is not a P-256 public key") from None
    if len(_b64(keys.get("auth"), "auth")) != 16:
        raise SubscriptionProblem("auth", "must be 16 bytes")
    return endpoint, keys["p256dh"], keys["auth"]


def is_configured() -> bool:
    return bool(settings.VAPID_PRIVATE_KEY and settings.VAPID_SUBJECT)


class _NoRedirects(requests.Session):
    """A push service that redirects is refused, never followed."""

    def request(self, *args: Any, **kwargs: Any) -> requests.Response:
        kwargs["allow_redirects"] = False
        return super().request(*args, **kwargs)


_sessions = threading.local()


@lru_cache(maxsize=2)
def _vapid(private_key: str) -> Vapid:
    """The application server's key, parsed once per process (not once per send)."""
    return Vapid.from_string(private_key)


def _session() -> _NoRedirects:
    """One session per thread, so connections to a push service are kept and reused."""
    if not hasattr(_sessions, "session"):
        _sessions.session = _NoRedirects()
    return _sessions.session


def retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    if header.strip().isdigit():
        return float(header)
    try:
        return max(0.0, (parsedate_to_datetime(header) - timezone.now()).total_seconds())
    except (TypeError, ValueError):
        return None


def web_push_send(
    *, endpoint: str, p256dh: str, auth: str, payload: dict[str, Any], timeout: float
) -> Outcome:
    """Encrypt and send one notification to one browser."""
    if not endpoint_allowed(endpoint):
        return Outcome("gone", "the browser's push address is no longer an allowed service")
    try:
        webpush(
            {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}},
            data=json.dumps(payload, ensure_ascii=False).encode(),
            vapid_private_key=_vapid(settings.VAPID_PRIVATE_KEY),
            vapid_claims={"sub": settings.VAPID_SUBJECT},
            content_encoding="aes128gcm",
            requests_session=_session(),
            timeout=timeout,
            ttl=24 * 60 * 60,
        )
    except WebPushException as exc:
        return _outcome(exc)
    except requests.RequestException as exc:
        return Outcome("retry", f"push service unreachable: {exc}")
    return Outcome("ok")


def _outcome(exc: WebPushException) -> Outcome:
    status = exc.status_code or 0
    words = f"push service answered {status}"
    if status in (404, 410):
        return Outcome("gone", f"{words}: the browser unsubscribed")
    if status == 429 or status >= 500:
        return Outcome("retry", words, retry_after_seconds(exc.retry_after))
    if 300 <= status < 400:
        return Outcome("failed", f"{words}: a redirect, not followed")
    return Outcome("failed", words)
