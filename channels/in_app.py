"""In-app inbox: storing the message is the delivery; the inbox API reads it back.

A message may carry a call-to-action link (`url`, a Liquid template): the widget shows it
as a button. It must render to an http(s) URL or a path on the product ("/notes/new").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.utils.translation import gettext_noop

from channels.base import Channel, OutboundMessage, Recipient, SendResult
from channels.chat.lines import chat_post_delivered_many
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    TemplateProblem,
    is_http_url,
    render_field,
)

CTA_MAX_LENGTH = 40
BAD_LINK = (
    "The link must start with https://, http:// or a single / (a page of your product), "
    "with no backslash."
)


def is_link(url: str) -> bool:
    """An absolute http(s) URL, or a path on the product starting with a single `/`.

    Never `//host` or `/\\host` (browsers read a backslash as a slash, so both leave the
    product), never a backslash or a control character anywhere (browsers drop tabs and
    line breaks from links, which could join `/` and `/` again), never `javascript:`."""
    url = url.strip()
    if "\\" in url or any(ord(char) < 0x20 or ord(char) == 0x7F for char in url):
        return False
    if url.startswith("/"):
        return not url.startswith("//")
    return is_http_url(url)


def is_template(text: str) -> bool:
    """Liquid in it: a link checked once rendered, when its value is known."""
    return "{{" in text or "{%" in text


class InAppChannel(Channel):
    key, label, noun = "in_app", "In-app", "an in-app message"
    optional = ("subject", "url", "cta")
    templates = ("subject", "body", "url")
    long_label = "In-app message"
    needs, field_limits = {"cta": "url"}, {"cta": CTA_MAX_LENGTH}
    subscription, preference = "in_app", gettext_noop("In-app messages")  # the pages translate it
    address_words = "user id"
    preview_template = "channels/in_app/preview.html"
    message_template = "channels/in_app/message.html"
    replies, inbox, local = "chat", True, True

    def field_problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        cta = fields.get("cta")
        if cta is None:
            return []
        if "url" not in fields:
            return [
                ("cta", "A button label needs a link to open: add the link, or remove the label.")
            ]
        if isinstance(cta, str) and not 0 < len(cta.strip()) <= CTA_MAX_LENGTH:
            return [("cta", f"Write a button label of 1 to {CTA_MAX_LENGTH} characters.")]
        return []

    def content_problems(self, content: MessageContent) -> list[TemplateProblem]:
        url = content.url.strip()
        if url and not is_template(url) and not is_link(url):
            return [TemplateProblem("url", None, BAD_LINK)]
        return []

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        return recipient.user_id or f"contact-{recipient.contact_id}"

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        subject = render_field("subject", content.subject, context, html=False).strip()
        text = render_field("body", content.body, context, html=False).strip()
        url = render_field("url", content.url, context, html=False).strip()
        if url and not is_link(url):
            raise RenderError(TemplateProblem("url", None, BAD_LINK))
        return RenderedMessage(channel=self.key, subject=subject, text=text, url=url)

    def send(self, message: OutboundMessage) -> SendResult:
        """Delivered by becoming a line of the contact's chat (streams are woken)."""
        return self.send_many([message])[0]

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """Lines of the contacts' chats, written together (the engine's batches)."""
        entries = chat_post_delivered_many(messages)
        return [
            SendResult(provider_id=f"in_app-{message.message_id}-{entry.seq}", status="delivered")
            for message, entry in zip(messages, entries, strict=True)
        ]
