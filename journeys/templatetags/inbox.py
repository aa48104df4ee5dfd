"""`{% inbox_waiting as n %}`: how many conversations wait for the team (the admin index)."""

from __future__ import annotations

from django import template

from channels.chat.conversations import conversation_unread_total

register = template.Library()


@register.simple_tag
def inbox_waiting() -> int:
    return conversation_unread_total()
