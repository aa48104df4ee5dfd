"""The one interface every channel implements, and the registry that finds them by key."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

from channels.rendering import RenderedMessage


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    contact_id: int
    to_address: str
    rendered: RenderedMessage
    unsubscribe_url: str = ""
    one_click_url: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "sent"  # in-app messages are "delivered" as soon as they are stored


class SendError(Exception):
    """A send that did not go through; `message` is the provider's words."""


class TransientSendError(SendError):
    """Timeouts, connection errors, 5xx and 429: worth retrying later."""


class PermanentSendError(SendError):
    """4xx, invalid address, recipient opted out at the provider: retrying cannot help."""

    def __init__(self, message: str, *, opted_out: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out


class Channel(Protocol):
    key: ClassVar[str]

    def is_available(self) -> bool: ...
    def send(self, message: OutboundMessage) -> SendResult: ...


_registry: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    key = getattr(channel, "key", "")
    if not key or key in _registry:
        raise ValueError(f"Channel key {key!r} is empty or already registered.")
    if not callable(getattr(channel, "send", None)) or not callable(
        getattr(channel, "is_available", None)
    ):
        raise TypeError(f"Channel {key!r} must define send() and is_available().")
    _registry[key] = channel
    return channel


def get_channel(key: str) -> Channel | None:
    return _registry.get(key)


def channel_keys() -> list[str]:
    return sorted(_registry)
