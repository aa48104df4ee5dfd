"""Email through Django's default mailer (an Anymail ESP in production)."""

from __future__ import annotations

import smtplib

from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend

from channels import conf
from channels.base import (
    OutboundMessage,
    PermanentSendError,
    SendResult,
    TransientSendError,
    register,
)

ACCEPTED = {"sent", "queued", "scheduled"}
_open_mailer: dict[str, BaseEmailBackend] = {}


def _mailer() -> BaseEmailBackend:
    """The default mailer, kept open per worker process so its HTTP session (and TCP
    connection) is reused between sends; rebuilt when the mail settings change."""
    key = repr((settings.MAILERS.get("default"), getattr(settings, "ANYMAIL", None)))
    backend = _open_mailer.get(key)
    if backend is None:
        _open_mailer.clear()
        backend = mailers["default"]
        backend.open()
        _open_mailer[key] = backend
    return backend


def _provider_words(exc: AnymailError) -> str:
    response = getattr(exc, "response", None)
    return response.text[:500] if response is not None else str(exc)


def _is_transient(status: int | None) -> bool:
    # No status means the request never got an answer (timeout, connection refused).
    return status is None or status == 429 or status >= 500


class EmailChannel:
    key = "email"

    def is_available(self) -> bool:
        return True

    def send(self, message: OutboundMessage) -> SendResult:
        rendered = message.rendered
        headers = {}
        if message.one_click_url:
            headers = {
                "List-Unsubscribe": f"<{message.one_click_url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            }
        email = EmailMultiAlternatives(
            subject=rendered.subject,
            body=rendered.text,
            from_email=conf.email_from(),
            to=[message.to_address],
            reply_to=conf.email_reply_to(),
            headers=headers,
        )
        email.attach_alternative(rendered.html, "text/html")
        # Comes back unchanged on Anymail's tracking signal (channels/webhooks/anymail.py).
        email.metadata = {"message_id": str(message.message_id)}  # type: ignore[attr-defined]
        try:
            _mailer().send_messages([email])
        except AnymailRecipientsRefused as exc:
            raise PermanentSendError(f"recipient refused: {_provider_words(exc)}") from exc
        except AnymailRequestsAPIError as exc:
            error = TransientSendError if _is_transient(exc.status_code) else PermanentSendError
            raise error(str(exc)) from exc
        except AnymailAPIError as exc:
            raise PermanentSendError(str(exc)) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise TransientSendError(str(exc)) from exc
        status = getattr(email, "anymail_status", None)
        if status is None:  # a plain Django backend (console, file, SMTP)
            return SendResult(provider_id=f"local-{message.message_id}")
        if not status.message_id and not status.status & ACCEPTED:
            raise PermanentSendError(f"the ESP did not accept the message ({status.status})")
        return SendResult(provider_id=str(status.message_id or f"esp-{message.message_id}"))


register(EmailChannel())
