"""Email through Django's default mailer (an Anymail ESP in production)."""

from __future__ import annotations

import smtplib
from collections.abc import Mapping
from typing import Any

import nh3
from anymail.exceptions import (
    AnymailAPIError,
    AnymailError,
    AnymailRecipientsRefused,
    AnymailRequestsAPIError,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, mailers
from django.core.mail.backends.base import BaseEmailBackend
from django.core.validators import validate_email
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_noop

from channels import conf
from channels.base import (
    Channel,
    OutboundMessage,
    PermanentSendError,
    Recipient,
    SendResult,
    TransientSendError,
)
from channels.rendering import MessageContent, RenderedMessage, render_field, render_markdown_html

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


class EmailChannel(Channel):
    key, label, noun = "email", "Email", "an email"
    required, optional = ("subject", "body"), ("preheader",)
    templates = ("subject", "preheader", "body")
    subscription, preference = "email", gettext_noop("Emails")  # the pages translate it
    contact_field, address_words = "email", "email address"
    no_address = "no email address"
    preview_template = "channels/email/preview.html"
    message_template = "channels/email/message.html"
    has_html, test_send = True, "typed"

    def normalised(self, address: str) -> str:
        return address.strip().lower()

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        return recipient.email

    def test_address(self, given: str, content: MessageContent) -> str:
        try:
            validate_email(given)
        except ValidationError:
            raise ValueError(f"{given!r} is not an email address.") from None
        return given

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        subject = " ".join(render_field("subject", content.subject, context, html=False).split())
        preheader = " ".join(
            render_field("preheader", content.preheader, context, html=False).split()
        )
        text = render_field("body", content.body, context, html=False).strip()
        # Values are escaped for Markdown and HTML before Markdown sees them, so contact data
        # never becomes a link or a tag; nh3 then removes anything unsafe staff wrote.
        body_html = nh3.clean(render_markdown_html("body", content.body, context))
        layout = {
            "subject": subject,
            "preheader": preheader,
            "body_html": mark_safe(body_html),  # noqa: S308 - cleaned by nh3 just above
            "body_text": text,
            "unsubscribe_url": str(context.get("unsubscribe_url", "")),
        }
        return RenderedMessage(
            channel=self.key,
            subject=subject,
            preheader=preheader,
            text=render_to_string("channels/email/layout.txt", layout).strip() + "\n",
            html=render_to_string("channels/email/layout.html", layout),
        )

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
