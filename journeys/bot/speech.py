"""The bot's side of a conversation, shared by its parts: what a contact sent (`Reply`),
what answering it did (`ReplyOutcome`), and the bot saying one line as the bot that spoke
last. journeys.bot.asks (open questions) and journeys.bot.replies (everything else) both
use it, so neither needs the other's registration."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from channels.chat.lines import BotIdentity, ChatLine, chat_last_bot_line, chat_post
from channels.models import ChatEntry
from channels.registry import chat_channel, replies_by

Kind = ChatEntry.Kind


@dataclass(frozen=True)
class Reply:
    """What the contact sent: the text they typed or the label of the quick reply they
    pressed (with its stored value), and the question they meant, if they said."""

    text: str
    value: str | None = None
    question: int | None = None
    channel: str = field(default_factory=chat_channel)
    key: str = ""  # the widget's idempotency key: the same reply sent twice is kept once

    @property
    def in_chat(self) -> bool:
        """Whether it came through the in-app chat (answers are chat lines, not a text)."""
        return replies_by(self.channel) == "chat"


@dataclass
class ReplyOutcome:
    """What the reply did; `lines` are the new chat lines (the contact's and the bot's)."""

    handled_by: str
    lines: list[ChatEntry] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    sms_answer: str = ""


def bot_for(contact_id: int) -> BotIdentity:
    """The bot that spoke last in this chat (each journey names its own), else the default."""
    last = chat_last_bot_line(
        contact_id=contact_id, kinds=[Kind.MESSAGE, Kind.QUESTION, Kind.REASK]
    )
    if last is not None and last.bot_name:
        return BotIdentity(name=last.bot_name, avatar=last.bot_avatar)
    return BotIdentity()


def bot_say(*, contact_id: int, kind: str, text: str, now: datetime, **extra: Any) -> ChatEntry:
    """The bot writes one line in the contact's chat, as the bot that spoke last."""
    line = ChatLine(author="bot", kind=kind, text=text, bot=bot_for(contact_id), **extra)
    return chat_post(contact_id=contact_id, line=line, now=now)
