"""A test-only channel, carrier pigeons, declared here and nowhere else.

onboarding/settings_test.py names it in STEPWISE_CHANNELS_WITH_PIGEON; the `pigeon`
fixture (tests/channels/conftest.py) switches that setting on, so the registry loads it
as it loads the built-in channels. test_new_channel*.py find it wherever a channel shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels.base import FIELD_LABELS, Channel, OutboundMessage, Recipient, SendResult
from channels.rendering import MessageContent, RenderedMessage, TemplateProblem, render_field


class PigeonChannel(Channel):
    """Carrier pigeons: the address is the contact's loft, a trait."""

    key, label, long_label, noun = "pigeon", "Pigeon post", "Carrier pigeon", "a pigeon"
    required, optional = ("body",), ("subject",)
    templates = ("subject", "body")
    field_labels = {**FIELD_LABELS, "body": "What the pigeon carries"}
    field_limits = {"subject": 20}  # the label on its leg
    subscription, preference = "pigeon", "Pigeon post"
    address_words, address_example = "loft", "Loft 7, Paris"
    no_address = "no loft on file"
    test_send = "typed"

    def __init__(self) -> None:
        self.sent: list[OutboundMessage] = []

    def content_problems(self, content: MessageContent) -> list[TemplateProblem]:
        if len(content.body) > 40:
            return [TemplateProblem("body", None, "A pigeon carries 40 characters at most.")]
        return []

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        return str(recipient.traits.get("loft", ""))

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        subject = render_field("subject", content.subject, context, html=False).strip()
        body = render_field("body", content.body, context, html=False).strip()
        return RenderedMessage(channel=self.key, subject=subject, text=body.upper())

    def send(self, message: OutboundMessage) -> SendResult:
        self.sent.append(message)
        return SendResult(provider_id=f"coo-{message.message_id}")
