"""Channel settings, read from django.conf.settings at call time (never at import)."""

from __future__ import annotations

import hashlib
import time as clock
from dataclasses import dataclass
from datetime import time
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


@dataclass(frozen=True)
class QuietHours:
    start: time
    end: time


def enabled_channels() -> list[str]:
    return list(settings.CHANNELS_ENABLED)


def max_attempts() -> int:
    return int(settings.CHANNELS_MAX_ATTEMPTS)


def retry_base_seconds() -> int:
    return int(settings.CHANNELS_RETRY_BASE_SECONDS)


def batch_seconds() -> float:
    return float(settings.CHANNELS_BATCH_SECONDS)


def team_digest_minutes() -> int:
    """At most one note to the team per target and journey this often (a digest)."""
    return int(settings.CHANNELS_TEAM_DIGEST_MINUTES)


# Staff's delivery settings (channels.models.DeliverySettings) are read at most every
# CHANNELS_STAFF_SETTINGS_SECONDS (10) per process: a change in the admin reaches every
# worker within it (the test settings read them every time).
_staff: tuple[float, dict[str, Any]] = (0.0, {})


def staff_settings() -> dict[str, Any]:
    """The non-blank fields of the admin's delivery settings (cached briefly)."""
    global _staff  # noqa: PLW0603 - a per-process cache of one row
    read_at, values = _staff
    if clock.monotonic() - read_at < settings.CHANNELS_STAFF_SETTINGS_SECONDS:
        return values
    # By name: conf is imported long before the models are loaded.
    model = apps.get_model("channels", "DeliverySettings")
    row = dict(model.objects.values().first() or {})
    # Blank, unset and unticked mean "the default" (a cap of 0 is a value: no cap).
    values = {k: v for k, v in row.items() if v is not None and v != "" and v is not False}
    _staff = (clock.monotonic(), values)
    return values


def staff_settings_changed() -> None:
    global _staff  # noqa: PLW0603
    _staff = (0.0, {})


def parse_quiet_hours(raw: str) -> QuietHours:
    """ "21:00-08:00" → QuietHours; ValueError in words otherwise."""
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ValueError(f'Quiet hours must look like 21:00-08:00, not "{raw}".') from None
    return QuietHours(start=start, end=end)


def quiet_hours(channel: str) -> QuietHours | None:
    staff = staff_settings()
    if staff.get("quiet_hours_off"):
        return None
    raw = str(staff.get(f"{channel}_quiet_hours") or settings.CHANNELS_QUIET_HOURS.get(channel, ""))
    if not raw.strip():
        return None
    try:
        return parse_quiet_hours(raw.strip())
    except ValueError as exc:
        raise ImproperlyConfigured(f"{channel}: {exc}") from None


def frequency_cap() -> int:
    staff = staff_settings()
    if "frequency_cap" in staff:
        return int(staff["frequency_cap"])
    return int(settings.CHANNELS_FREQUENCY_CAP)


def frequency_cap_channels() -> list[str]:
    return list(settings.CHANNELS_FREQUENCY_CAP_CHANNELS)


def webhook_secret() -> bytes:
    """The HMAC key for outgoing webhooks; derived from SECRET_KEY when not set."""
    if settings.CHANNELS_WEBHOOK_SECRET:
        return settings.CHANNELS_WEBHOOK_SECRET.encode()
    return hashlib.sha256(b"stepwise.channels.webhook" + settings.SECRET_KEY.encode()).digest()


def http_timeout() -> float:
    return float(settings.CHANNELS_HTTP_TIMEOUT_SECONDS)


def public_url() -> str:
    return settings.PUBLIC_URL.rstrip("/")


def default_time_zone() -> str:
    return settings.TIME_ZONE


@dataclass(frozen=True)
class TwilioConfig:
    account_sid: str
    auth_token: str
    from_number: str
    messaging_service_sid: str
    api_base_url: str

    @property
    def is_configured(self) -> bool:
        sender = self.from_number or self.messaging_service_sid
        return bool(self.account_sid and self.auth_token and sender)


def twilio() -> TwilioConfig:
    return TwilioConfig(
        account_sid=settings.TWILIO_ACCOUNT_SID,
        auth_token=settings.TWILIO_AUTH_TOKEN,
        from_number=str(staff_settings().get("sms_from") or settings.TWILIO_FROM),
        messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
        api_base_url=settings.TWILIO_API_BASE_URL.rstrip("/"),
    )


def sms_console() -> bool:
    """SMS_BACKEND=console: texts are printed, not sent (development and `make demo`)."""
    return settings.SMS_BACKEND == "console"


def email_from() -> str:
    return str(staff_settings().get("email_from") or settings.DEFAULT_FROM_EMAIL)


def email_reply_to() -> list[str]:
    reply_to = staff_settings().get("email_reply_to") or settings.EMAIL_REPLY_TO
    return [reply_to] if reply_to else []


def anymail_webhook_secret() -> str:
    """ANYMAIL["WEBHOOK_SECRET"]; empty means the tracking webhooks refuse everything."""
    return str(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET") or "")


def delivery_defaults() -> dict[str, str]:
    """The deployment's defaults that the admin's delivery settings override, in words."""
    return {
        "sms_quiet_hours": settings.CHANNELS_QUIET_HOURS.get("sms", "") or "none",
        "email_quiet_hours": settings.CHANNELS_QUIET_HOURS.get("email", "") or "none",
        "frequency_cap": str(settings.CHANNELS_FREQUENCY_CAP),
        "email_from": settings.DEFAULT_FROM_EMAIL,
        "email_reply_to": settings.EMAIL_REPLY_TO or "none",
        "sms_from": settings.TWILIO_FROM or settings.TWILIO_MESSAGING_SERVICE_SID or "none",
    }
