"""`manage.py check --deploy`: say which provider webhooks refuse everything for want of a
secret."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Tags, Warning, register

from channels.conf import anymail_webhook_secret


@register(Tags.security, deploy=True)
def webhook_secrets_configured(app_configs: object = None, **kwargs: object) -> list[Warning]:
    problems = []
    if not anymail_webhook_secret():
        problems.append(
            Warning(
                "ANYMAIL_WEBHOOK_SECRET is not set: the email tracking webhooks "
                "(/webhooks/anymail/…) refuse every request, so bounces, complaints and "
                "unsubscribes from your ESP are not recorded.",
                hint="Set ANYMAIL_WEBHOOK_SECRET=user:password and put it in the ESP's "
                "webhook URL (https://user:password@host/webhooks/anymail/…).",
                id="stepwise.W001",
            )
        )
    if not settings.TWILIO_AUTH_TOKEN:
        problems.append(
            Warning(
                "TWILIO_AUTH_TOKEN is not set: the Twilio webhooks (/webhooks/twilio/…) "
                "refuse every request, so SMS statuses and STOP/START replies are ignored.",
                hint="Set TWILIO_AUTH_TOKEN to your account's auth token.",
                id="stepwise.W002",
            )
        )
    return problems
