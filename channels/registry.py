"""The one registry of channels: the journey format, rendering, delivery, the inbox API,
contact profiles and subscriptions all find a channel's facts here.

The channels are the classes named by the STEPWISE_CHANNELS setting, in that order,
loaded on first use (so a channel module may import the models); a test adds its own with
`registered(channel)` or by changing the setting. See docs/architecture.md.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

from channels.base import Channel
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    TemplateProblem,
    template_problems,
)

_CHANNELS: dict[str, Channel] = {}
_FACTS = ("key", "label", "noun", "subscription")
_loaded: list[bool] = []  # non-empty once STEPWISE_CHANNELS has been read
_loading = threading.Lock()  # threads of one process load the channels once


def _channels() -> dict[str, Channel]:
    """Every registered channel by key, reading STEPWISE_CHANNELS the first time."""
    if not _loaded:
        with _loading:
            if not _loaded:
                try:
                    for path in settings.STEPWISE_CHANNELS:
                        _add(_instance(path))
                except (ImproperlyConfigured, TypeError, ValueError):
                    _CHANNELS.clear()  # a half-read list is not kept
                    raise
                _loaded.append(True)
    return _CHANNELS


def _instance(path: str) -> Channel:
    try:
        channel_class = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"STEPWISE_CHANNELS names {path!r}, which cannot be imported: {exc}"
        ) from exc
    channel = channel_class() if isinstance(channel_class, type) else None
    if not isinstance(channel, Channel):
        raise ImproperlyConfigured(f"STEPWISE_CHANNELS names {path!r}, which is not a Channel.")
    return channel


@receiver(setting_changed)
def _setting_changed(*, setting: str, **kwargs: Any) -> None:
    """A test that changes STEPWISE_CHANNELS gets the channels it names."""
    if setting == "STEPWISE_CHANNELS":
        with _loading:
            _CHANNELS.clear()
            _loaded.clear()


def register(channel: Channel) -> Channel:
    """Add a channel; refuses an empty or duplicate key, or one that leaves a fact out."""
    _channels()
    return _add(channel)


def _add(channel: Channel) -> Channel:
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
    _channels().pop(key, None)


@contextmanager
def registered(channel: Channel) -> Iterator[Channel]:
    """Register a channel for the duration of a `with` block."""
    register(channel)
    try:
        yield channel
    finally:
        unregister(channel.key)


def get_channel(key: str) -> Channel | None:
    return _channels().get(key)


def channel_keys() -> list[str]:
    """Every channel's key, in registration order (email, sms, in_app, webhook, ...)."""
    return list(_channels())


def channel_facts() -> dict[str, Channel]:
    """Every channel by key: what the pure core is handed to check and word messages."""
    return dict(_channels())


def all_channels() -> list[Channel]:
    return list(_channels().values())


def channel_choices() -> list[tuple[str, str]]:
    """(key, label) for model fields and admin filters."""
    return [(channel.key, channel.label) for channel in _channels().values()]


def subscription_keys() -> list[str]:
    """The subscriptions a contact can hold, one per channel that has an opt-out."""
    keys = (channel.subscription for channel in _channels().values())
    return list(dict.fromkeys(key for key in keys if key))


def preference_labels() -> dict[str, str]:
    """Subscription key → how the preferences page names it, for the channels it offers."""
    return {
        channel.subscription: channel.preference
        for channel in _channels().values()
        if channel.subscription and channel.preference
    }


def subscription_of(channel_key: str) -> str | None:
    """The subscription that governs a channel (None: no opt-out, or no such channel)."""
    channel = _channels().get(channel_key)
    return channel.subscription if channel is not None else None


def stop_reply_channels() -> list[str]:
    """The channels contacts also opt out of by replying STOP (the reports count those)."""
    return [channel.key for channel in _channels().values() if channel.stop_replies]


def chat_channel() -> str:
    """The channel whose replies are lines of the in-app chat (the widget's)."""
    return next((c.key for c in _channels().values() if c.replies == "chat"), "")


def replies_by(channel_key: str) -> str:
    """How a channel takes replies: "chat", "text" or "" (see Channel)."""
    channel = _channels().get(channel_key)
    return channel.replies if channel is not None else ""


def channel_label(channel_key: str) -> str:
    """The channel's short name for staff (the key itself for a channel no longer known)."""
    channel = _channels().get(channel_key)
    return channel.label if channel is not None else channel_key


def inbox_channels() -> list[str]:
    """The channels whose messages the inbox API returns."""
    return [channel.key for channel in _channels().values() if channel.inbox]


def channels_learn(events: list[Any]) -> None:
    """Let every channel read a batch of new events (device tokens arrive this way)."""
    for channel in _channels().values():
        channel.learn(events)


def _no_channel(key: str) -> TemplateProblem:
    return TemplateProblem("channel", None, f"There is no channel called “{key}”.")


def validate_content(channel_key: str, content: MessageContent) -> list[TemplateProblem]:
    """Problems that stop this content from being published, in words staff understand."""
    channel = _channels().get(channel_key)
    if channel is None:
        return [_no_channel(channel_key)]
    problems = [
        TemplateProblem(name, None, f"“{channel.field_label(name)}” is empty: write it.")
        for name in channel.required
        if not getattr(content, name).strip()
    ]
    for name in channel.templates:
        problems += template_problems(name, getattr(content, name))
    return problems + channel.content_problems(content)


def publish_problems(channel_key: str, content: MessageContent) -> list[TemplateProblem]:
    """What the channel refuses at import and publish beyond validate_content."""
    channel = _channels().get(channel_key)
    return channel.publish_problems(content) if channel is not None else []


def render_message(
    channel_key: str, content: MessageContent, context: Mapping[str, Any]
) -> RenderedMessage:
    """Render content for one person; raises RenderError with a plain-words problem."""
    channel = _channels().get(channel_key)
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
