"""The one registry of channels: the journey format, rendering, delivery, the inbox API,
contact profiles and subscriptions all find a channel's facts here.

The built-in channels are registered below in the order the format lists them; a test
registers its own with `registered(channel)`. See docs/architecture.md.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from channels.base import Channel
from channels.email import EmailChannel
from channels.in_app import InAppChannel
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    TemplateProblem,
    template_problems,
)
from channels.sms import SmsChannel
from channels.webhook import WebhookChannel

_CHANNELS: dict[str, Channel] = {}
_FACTS = ("key", "label", "noun", "subscription")


def register(channel: Channel) -> Channel:
    """Add a channel; refuses an empty or duplicate key, or one that leaves a fact out."""
    key = getattr(channel, "key", "")
    if not key or key in _CHANNELS:
        raise ValueError(f"Channel key {key!r} is empty or already registered.")
    missing = [name for name in _FACTS if not hasattr(channel, name)]
    if missing:
        raise TypeError(f"Channel {key!r} must say its {', '.join(missing)}.")
    unknown = set(channel.required + channel.optional + channel.templates) - set(
        MessageContent.__dataclass_fields__
    )
    if unknown:
        raise TypeError(f"Channel {key!r} names unknown content fields {sorted(unknown)}.")
    _CHANNELS[key] = channel
    return channel


def unregister(key: str) -> None:
    """Remove a channel (tests that registered their own)."""
    _CHANNELS.pop(key, None)


@contextmanager
def registered(channel: Channel) -> Iterator[Channel]:
    """Register a channel for the duration of a `with` block."""
    register(channel)
    try:
        yield channel
    finally:
        unregister(channel.key)


def get_channel(key: str) -> Channel | None:
    return _CHANNELS.get(key)


def channel_keys() -> list[str]:
    """Every channel's key, in registration order (email, sms, in_app, webhook, ...)."""
    return list(_CHANNELS)


def channel_facts() -> dict[str, Channel]:
    """Every channel by key: what the pure core is handed to check and word messages."""
    return dict(_CHANNELS)


def all_channels() -> list[Channel]:
    return list(_CHANNELS.values())


def channel_choices() -> list[tuple[str, str]]:
    """(key, label) for model fields and admin filters."""
    return [(channel.key, channel.label) for channel in _CHANNELS.values()]


def subscription_keys() -> list[str]:
    """The subscriptions a contact can hold, one per channel that has an opt-out."""
    keys = (channel.subscription for channel in _CHANNELS.values())
    return list(dict.fromkeys(key for key in keys if key))


def preference_labels() -> dict[str, str]:
    """Subscription key → how the preferences page names it, for the channels it offers."""
    return {
        channel.subscription: channel.preference
        for channel in _CHANNELS.values()
        if channel.subscription and channel.preference
    }


def subscription_of(channel_key: str) -> str | None:
    """The subscription that governs a channel (None: no opt-out, or no such channel)."""
    channel = _CHANNELS.get(channel_key)
    return channel.subscription if channel is not None else None


def inbox_channels() -> list[str]:
    """The channels whose messages the inbox API returns."""
    return [channel.key for channel in _CHANNELS.values() if channel.inbox]


def _no_channel(key: str) -> TemplateProblem:
    return TemplateProblem("channel", None, f"There is no channel called “{key}”.")


def validate_content(channel_key: str, content: MessageContent) -> list[TemplateProblem]:
    """Problems that stop this content from being published, in words staff understand."""
    channel = _CHANNELS.get(channel_key)
    if channel is None:
        return [_no_channel(channel_key)]
    problems = [
        TemplateProblem(name, None, f"The {name} is empty.")
        for name in channel.required
        if not getattr(content, name).strip()
    ]
    for name in channel.templates:
        problems += template_problems(name, getattr(content, name))
    return problems + channel.content_problems(content)


def render_message(
    channel_key: str, content: MessageContent, context: Mapping[str, Any]
) -> RenderedMessage:
    """Render content for one person; raises RenderError with a plain-words problem."""
    channel = _CHANNELS.get(channel_key)
    if channel is None:
        raise RenderError(_no_channel(channel_key))
    return channel.render(content, context)


def render_preview(
    channel_key: str, content: MessageContent, context: Mapping[str, Any]
) -> RenderedMessage:
    """Like render_message, but never raises: problems come back on the result."""
    problems = validate_content(channel_key, content)
    if problems:
        return RenderedMessage(channel=channel_key, problems=tuple(problems))
    try:
        return render_message(channel_key, content, context)
    except RenderError as exc:
        return RenderedMessage(channel=channel_key, problems=(exc.problem,))


for _channel in (EmailChannel(), SmsChannel(), InAppChannel(), WebhookChannel()):
    register(_channel)
