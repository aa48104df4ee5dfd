"""Replies that arrive through a provider (an SMS to our Twilio number), handed to the
journeys side, which knows about questions and keyword replies. channels does not import
journeys services (docs/architecture.md); journeys hangs its handler here at start."""

from __future__ import annotations

from collections.abc import Callable

# (channel, address, text) -> the answer to send back on that channel, or "".
ReplyHandler = Callable[[str, str, str], str]
_handler: ReplyHandler | None = None


def reply_handler_set(handler: ReplyHandler) -> None:
    global _handler
    _handler = handler


def reply_received(*, channel: str, address: str, text: str) -> str:
    """What to answer to `text` received from `address` on `channel` ("" for nothing)."""
    return _handler(channel, address, text) if _handler is not None else ""
