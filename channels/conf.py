"""Channel settings, read from django.conf.settings at call time (never at import)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import time

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


def quiet_hours(channel: str) -> QuietHours | None:
    raw = settings.CHANNELS_QUIET_HOURS.get(channel, "").strip()
    if not raw:
        return None
    try:
        start, end = (time.fromisoformat(part.strip()) for part in raw.split("-"))
    except ValueError:
        raise ImproperlyConfigured(
            f"Quiet hours for {channel} must look like 21:00-08:00, not {raw!r}."
        ) from None
    return QuietHours(start=start, end=end)


def frequency_cap() -> int:
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
        from_number=settings.TWILIO_FROM,
        messaging_service_sid=settings.TWILIO_MESSAGING_SERVICE_SID,
        api_base_url=settings.TWILIO_API_BASE_URL.rstrip("/"),
    )


def sms_console() -> bool:
    """SMS_BACKEND=console: texts are printed, not sent (development and `make demo`)."""
    return settings.SMS_BACKEND == "console"


def email_from() -> str:
    return settings.DEFAULT_FROM_EMAIL


def email_reply_to() -> list[str]:
    return [settings.EMAIL_REPLY_TO] if settings.EMAIL_REPLY_TO else []


def anymail_webhook_secret() -> str:
    """ANYMAIL["WEBHOOK_SECRET"]; empty means the tracking webhooks refuse everything."""
    return str(getattr(settings, "ANYMAIL", {}).get("WEBHOOK_SECRET") or "")
