"""What the builder's forms need from the channels, read from channels.registry: the Send
by and Ask by choices, the fields each channel shows, and how the channel words them."""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxLengthValidator

from channels.registry import all_channels, get_channel


def channel_picker() -> list[tuple[str, str]]:
    """The “Send by” choices: every registered channel, as the builder names it."""
    return [(channel.key, channel.picker_label) for channel in all_channels()]


def channel_fields_attr() -> str:
    """Which variant fields each channel shows, for the canvas's script
    ("key:subject,body;key:body"): switching channel hides the others at once."""
    return ";".join(f"{c.key}:{','.join(c.fields)}" for c in all_channels())


def template_fields() -> frozenset[str]:
    """Variant fields some channel fills in for each person (the picker goes beside them)."""
    return frozenset(name for channel in all_channels() for name in channel.templates)


def reply_channel_picker() -> list[tuple[str, str]]:
    """The “Ask by” choices: the channels a contact can answer on."""
    return [(channel.key, channel.picker_label) for channel in all_channels() if channel.replies]


def first_channel() -> str:
    channels = all_channels()
    return channels[0].key if channels else ""


def label_fields(variants_set: Any, channel_key: str) -> None:
    """Words each content field as the step's channel does, and caps it at the channel's
    limit (a field it lacks keeps the common label: the canvas hides it)."""
    channel = get_channel(channel_key)
    if channel is None:
        return
    for form in variants_set.forms:
        for name in channel.fields:
            if name not in form.fields:
                continue
            field = form.fields[name]
            field.label = channel.field_label(name)
            limit = channel.field_limits.get(name)
            if limit is not None:
                others = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]
                field.validators = [*others, MaxLengthValidator(limit)]
                field.max_length = limit
                field.widget.attrs["maxlength"] = str(limit)
