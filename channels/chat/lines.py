"""The in-app chat: what the bot and the contact said, in order, and what is unread.

Every line gets the contact's next sequence number under the ChatState row lock, so per
contact `seq` follows commit order: a stream that has seen up to N and asks for "after N"
gets every later line exactly once (docs/widget.md). Writers wake waiting streams through
channels.chat.wakeup once the line is committed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from channels.base import OutboundMessage
from channels.chat import wakeup
from channels.delivery.messages import message_mark_read
from channels.models import ChatEntry, ChatState, Message
from journeys.core.steps import STEP_TYPES
from journeys.models import StepVisit

HISTORY_LIMIT = 50
PAGE_LIMIT = 200
TEXT_LIMIT = 4000
Kind = ChatEntry.Kind


@dataclass(frozen=True)
class BotIdentity:
    """Who speaks for a journey in the chat."""

    name: str = "Stepwise bot"
    avatar: str = ""


@dataclass(frozen=True)
class ChatLine:
    """What a new chat entry says (everything but its place in the conversation)."""

    author: str
    kind: str
    text: str
    subject: str = ""
    url: str = ""
    cta: str = ""
    replies: Sequence[Mapping[str, str]] = ()
    answer: Mapping[str, Any] = field(default_factory=dict)
    bot: BotIdentity | None = None
    message_id: int | None = None
    step_key: str = ""
    journey_id: int | None = None
    sender_name: str = ""  # a person of the team: their first name
    client_key: str = ""  # the widget's key for a typed reply (kept once)


@dataclass(frozen=True)
class ChatSnapshot:
    """The state a widget shows besides the lines: the badge and the open question."""

    last_seq: int
    unread: int
    open_seq: int | None

    def as_json(self) -> dict[str, Any]:
        return {"last": self.last_seq, "unread": self.unread, "open": self.open_seq}


def _next_seq(contact_id: int) -> int:
    """Bump and return the contact's sequence; the row stays locked until commit."""
    try:
        with transaction.atomic():
            ChatState.objects.get_or_create(
                contact_id=contact_id, defaults={"updated_at": timezone.now()}
            )
    except IntegrityError:
        pass  # created by a concurrent writer a moment ago
    ChatState.objects.filter(contact_id=contact_id).update(
        last_seq=F("last_seq") + 1, updated_at=timezone.now()
    )
    return ChatState.objects.filter(contact_id=contact_id).values_list("last_seq", flat=True).get()


@transaction.atomic
def chat_post(*, contact_id: int, line: ChatLine, now: datetime | None = None) -> ChatEntry:
    """Append one line to the contact's chat and wake its streams after commit.

    A line for a journey message is stored once: posting the same message again returns
    the entry it already has."""
    if line.message_id is not None:
        existing = ChatEntry.objects.filter(message_id=line.message_id).first()
        if existing is not None:
            return existing
    now = now or timezone.now()
    seq = _next_seq(contact_id)
    bot = line.bot or BotIdentity()
    entry = ChatEntry.objects.create(
        contact_id=contact_id,
        seq=seq,
        author=line.author,
        kind=line.kind,
        text=line.text[:TEXT_LIMIT],
        subject=line.subject,
        url=line.url,
        cta=line.cta,
        replies=[dict(reply) for reply in line.replies],
        answer=dict(line.answer),
        bot_name=bot.name if line.author == ChatEntry.Author.BOT else "",
        bot_avatar=bot.avatar if line.author == ChatEntry.Author.BOT else "",
        message_id=line.message_id,
        step_key=line.step_key,
        journey_id=line.journey_id,
        sender_name=line.sender_name if line.author == ChatEntry.Author.STAFF else "",
        client_key=line.client_key,
        created_at=now,
    )
    if line.kind in (Kind.QUESTION, Kind.REASK):
        ChatState.objects.filter(contact_id=contact_id).update(open_seq=seq, updated_at=now)
    elif line.kind == Kind.MESSAGE:
        # The journey moved on: a question it asked earlier is no longer waiting.
        ChatState.objects.filter(contact_id=contact_id).update(open_seq=None, updated_at=now)
    wakeup.publish(contact_id)
    return entry


def _journey_facts(message: Message) -> tuple[dict[str, Any], dict[str, Any]]:
    """(the journey document's step for this message, its bot) — empty when not a journey's."""
    if message.step_visit_id is None:
        return {}, {}
    visit = (
        StepVisit.objects.filter(pk=message.step_visit_id)
        .values_list("step__key", "step__version__spec")
        .first()
    )
    if visit is None:
        return {}, {}
    key, document = visit
    steps = [s for s in document.get("steps", []) if isinstance(s, dict) and s.get("id") == key]
    bot = document.get("bot")
    return (steps[0] if steps else {}), (bot if isinstance(bot, dict) else {})


def chat_post_delivered(outbound: OutboundMessage) -> ChatEntry:
    """An in-app message is delivered by becoming a chat line (once per message).

    A message sent by a step whose type asks a question (`chat_question`) is one: its
    quick replies or the kind of answer it wants come from the journey version it was
    sent from, and so does the bot."""
    message = Message.objects.get(pk=outbound.message_id)
    rendered = outbound.rendered
    if message.step_visit_id is None:
        return chat_post(contact_id=message.contact_id, line=_staff_line(message, outbound))
    step, bot = _journey_facts(message)
    step_type = STEP_TYPES.get(str(step.get("type", "")))
    is_question = step_type is not None and step_type.chat_question
    raw_answer = step.get("answer")
    answer: dict[str, Any] = raw_answer if isinstance(raw_answer, dict) else {}
    line = ChatLine(
        author=ChatEntry.Author.BOT,
        kind=Kind.QUESTION if is_question else Kind.MESSAGE,
        text=rendered.text,
        subject=rendered.subject,
        url=rendered.url,
        cta=str(message.content.get("cta", ""))[:80],
        replies=step.get("replies", []) if is_question else (),
        answer={**({"type": "text"} if is_question and not step.get("replies") else {}), **answer},
        bot=BotIdentity(
            name=str(bot.get("name", "")) or BotIdentity.name, avatar=str(bot.get("avatar", ""))
        ),
        message_id=message.pk,
        step_key=str(step.get("id", "")),
        journey_id=message.journey_id,
    )
    return chat_post(contact_id=message.contact_id, line=line)


def _staff_line(message: Message, outbound: OutboundMessage) -> ChatLine:
    """A message no step sent (a one-off from staff) speaks as the person who sent it:
    it never speaks for, or renames, the journey's bot."""
    sender = message.context.get("sender") if isinstance(message.context, dict) else None
    name = str(sender.get("name", "")) if isinstance(sender, dict) else ""
    return ChatLine(
        author=ChatEntry.Author.STAFF,
        kind=Kind.ANSWER,
        text=outbound.rendered.text,
        subject=outbound.rendered.subject,
        url=outbound.rendered.url,
        cta=str(message.content.get("cta", ""))[:80],
        sender_name=name[:80],
        message_id=message.pk,
        journey_id=message.journey_id,
    )


def chat_close_question(*, contact_id: int, seq: int | None = None) -> bool:
    """The open question was answered or expired: the widget stops offering its replies.
    With `seq`, only that question is closed (a newer one stays open)."""
    rows = ChatState.objects.filter(contact_id=contact_id, open_seq__isnull=False)
    if seq is not None:
        rows = rows.filter(open_seq=seq)
    closed = rows.update(open_seq=None, updated_at=timezone.now()) > 0
    if closed:
        wakeup.publish(contact_id)
    return closed


@transaction.atomic
def chat_mark_read(*, contact_id: int, up_to: int) -> ChatSnapshot:
    """Everything the bot (or the team) said up to `up_to` is read (never moves backwards);
    the journey messages among it are marked read in the inbox too (status "opened")."""
    state = ChatState.objects.select_for_update().filter(contact_id=contact_id).first()
    if state is not None and state.read_seq < up_to:
        new_mark = min(up_to, state.last_seq)
        read = ChatEntry.objects.filter(
            contact_id=contact_id,
            seq__gt=state.read_seq,
            seq__lte=new_mark,
            message__isnull=False,
            message__read_at__isnull=True,
        ).values_list("message_id", flat=True)
        for message_id in list(read):
            message_mark_read(message_id=message_id)
        state.read_seq, state.updated_at = new_mark, timezone.now()
        state.save(update_fields=["read_seq", "updated_at"])
        wakeup.publish(contact_id)
    return chat_snapshot(contact_id=contact_id)


def chat_snapshot(*, contact_id: int) -> ChatSnapshot:
    state = ChatState.objects.filter(contact_id=contact_id).first()
    if state is None:
        return ChatSnapshot(last_seq=0, unread=0, open_seq=None)
    unread = (
        ChatEntry.objects.filter(contact_id=contact_id, seq__gt=state.read_seq)
        .exclude(author=ChatEntry.Author.USER)
        .count()
    )
    return ChatSnapshot(last_seq=state.last_seq, unread=unread, open_seq=state.open_seq)


def chat_after(*, contact_id: int, after: int, limit: int = PAGE_LIMIT) -> list[ChatEntry]:
    """The lines after sequence number `after`, oldest first."""
    return list(
        ChatEntry.objects.filter(contact_id=contact_id, seq__gt=after).order_by("seq")[:limit]
    )


def chat_history(*, contact_id: int, limit: int = HISTORY_LIMIT) -> list[ChatEntry]:
    """The latest `limit` lines, oldest first (what a widget shows when it first opens)."""
    newest = ChatEntry.objects.filter(contact_id=contact_id).order_by("-seq")[:limit]
    return sorted(newest, key=lambda entry: entry.seq)


def chat_last_bot_line(*, contact_id: int, kinds: Sequence[str]) -> ChatEntry | None:
    """The newest line the bot said of one of `kinds` (the fallback restates it)."""
    return (
        ChatEntry.objects.filter(
            contact_id=contact_id, author=ChatEntry.Author.BOT, kind__in=list(kinds)
        )
        .order_by("-seq")
        .first()
    )


def chat_contact_move(*, source_id: int, into_id: int) -> int:
    """A contact merge: the source's chat lines join the end of the kept contact's chat,
    renumbered in their order, so sequence numbers stay unique and increasing."""
    moved = 0
    for entry in ChatEntry.objects.filter(contact_id=source_id).order_by("seq"):
        entry.contact_id, entry.seq = into_id, _next_seq(into_id)
        entry.save(update_fields=["contact", "seq"])
        moved += 1
    ChatState.objects.filter(contact_id=source_id).delete()
    if moved:
        wakeup.publish(into_id)
    return moved


def chat_erase(*, contact_id: int) -> int:
    """A privacy erasure: the whole conversation goes (what the bot and the person said)."""
    removed = ChatEntry.objects.filter(contact_id=contact_id).delete()[0]
    ChatState.objects.filter(contact_id=contact_id).delete()
    return removed


def chat_export(*, contact_id: int) -> list[dict[str, Any]]:
    """The conversation as the person saw it, for a privacy export."""
    return [
        {"author": e.author, "text": e.text, "url": e.url, "at": e.created_at}
        for e in ChatEntry.objects.filter(contact_id=contact_id).order_by("seq")
    ]


def entry_json(entry: ChatEntry) -> dict[str, Any]:
    """The wire shape of one chat line (the stream, the long poll and the reply answer)."""
    data: dict[str, Any] = {
        "seq": entry.seq,
        "author": entry.author,
        "kind": entry.kind,
        "text": entry.text,
        "at": entry.created_at.isoformat(),
    }
    if entry.subject:
        data["subject"] = entry.subject
    if entry.url:
        data["url"] = entry.url
        data["cta"] = entry.cta or "Open"
    if entry.replies:
        data["replies"] = entry.replies
    if entry.answer:
        data["answer"] = entry.answer
    if entry.author == ChatEntry.Author.BOT:
        data["bot"] = {"name": entry.bot_name, "avatar": entry.bot_avatar}
    if entry.author == ChatEntry.Author.STAFF:
        data["person"] = {"name": entry.sender_name}
    if entry.message_id is not None:
        data["message"] = entry.message_id
    if entry.client_key:
        data["key"] = entry.client_key  # the widget's own key: its pending line is this one
    return data
