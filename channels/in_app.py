"""In-app inbox: storing the message is the delivery; the API reads it back."""

from __future__ import annotations

from channels.base import OutboundMessage, SendResult, register


class InAppChannel:
    key = "in_app"

    def is_available(self) -> bool:
        return True

    def send(self, message: OutboundMessage) -> SendResult:
        return SendResult(provider_id=f"in_app-{message.message_id}", status="delivered")


register(InAppChannel())
