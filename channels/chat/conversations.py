"""The staff inbox's side of the chat: replies the bot passed to the team, what the team
has read, and the team's answers.

A contact's chat joins the inbox the first time the bot hands a reply over; from then on
the conversation is ordered by `inbox_at` (the last time a person had something there).
The team is told once per conversation: `staff_notified` stays set until someone opens it.
Texts (SMS) are lines of the same conversation, marked by `via`; the team's answer goes
where the person last wrote: by text to a person who last texted, else into the chat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.utils import timezone

from channels.chat.lines import ChatLine, chat_post
from channels.delivery.queue import QueuedMessage, message_queue
from channels.models import ChatEntry, ChatState
from channels.rendering import MessageContent, liquid_literal

Kind = ChatEntry.Kind
Author = ChatEntry.Author
INBOX_LIMIT = 100


@dataclass(frozen=True)
class Conversation:
    """One row of the inbox: whose chat, when a person last had something, what is unread."""

    contact_id: int
    at: datetime
    unread: int
    last_text: str
    last_author: str


@transaction.atomic
def conversation_hand_over(*, entry: ChatEntry, now: datetime) -> bool:
    """The bot could not handle the contact's line `entry`: it goes to the team's inbox.

    Returns True when the team should be told now (it was not told since it last opened
    this conversation): one notification per conversation, not per message."""
    ChatEntry.objects.filter(pk=entry.pk).update(kind=Kind.FOR_TEAM)
    entry.kind = Kind.FOR_TEAM
    state = ChatState.objects.select_for_update().get(contact_id=entry.contact_id)
    tell = not state.staff_notified
    state.inbox_at, state.staff_notified = now, True
    state.save(update_fields=["inbox_at", "staff_notified"])
    return tell


def conversation_with_person(*, contact_id: int, before: int) -> str:
    """Whom the contact is talking to at line `before`: "person" when the newest line of the
    team or bot before it is a person's, "told" when the bot already said a person will
    read it since the team last wrote, else ""."""
    last = (
        ChatEntry.objects.filter(contact_id=contact_id, seq__lt=before)
        .exclude(author=Author.USER)
        .exclude(kind=Kind.FALLBACK)
        .order_by("-seq")
        .values_list("author", "kind")
        .first()
    )
    if last is None:
        return ""
    if last[0] == Author.STAFF:
        return "person"
    return "told" if last[1] == Kind.HANDOFF else ""


@transaction.atomic
def conversation_open(*, contact_id: int) -> None:
    """A staff member opened the conversation: it is read, and the next reply the bot
    cannot handle tells the team again."""
    state = ChatState.objects.select_for_update().filter(contact_id=contact_id).first()
    if state is not None:
        state.staff_read_seq, state.staff_notified = state.last_seq, False
        state.save(update_fields=["staff_read_seq", "staff_notified"])


@dataclass(frozen=True)
class Answered:
    """The team's answer: its chat line, and the text message that carries it to a person
    who last wrote by text (None: the chat alone)."""

    entry: ChatEntry
    by_text: QueuedMessage | None = None


@transaction.atomic
def conversation_answer(
    *, contact_id: int, text: str, sender_name: str, now: datetime | None = None
) -> Answered:
    """A staff member answers in the contact's conversation, as themselves (never as the
    bot): open streams show it at once (channels.chat.lines.chat_post wakes them), and a
    person who last wrote by text gets it by text, with opt-outs and quiet hours applied."""
    now = now or timezone.now()
    text = text.strip()
    if not text:
        raise ValueError("Write an answer first.")
    via = last_written_by(contact_id=contact_id)
    by_text = None
    if via:
        by_text = message_queue(
            contact_id=contact_id,
            channel=via,
            content=MessageContent(body=liquid_literal(text)),
            context={"sender": {"name": sender_name}},
            now=now,
        )
    line = ChatLine(
        author=Author.STAFF,
        kind=Kind.ANSWER,
        text=text,
        sender_name=sender_name,
        via=via,
        message_id=by_text.message_id if by_text else None,
    )
    entry = chat_post(contact_id=contact_id, line=line, now=now)
    ChatState.objects.filter(contact_id=contact_id).update(
        inbox_at=now, staff_read_seq=entry.seq, staff_notified=False
    )
    return Answered(entry, by_text)


def last_written_by(*, contact_id: int) -> str:
    """The channel outside the chat the person last wrote by (a text), "" for the chat."""
    newest = (
        ChatEntry.objects.filter(contact_id=contact_id, author=Author.USER)
        .order_by("-seq")
        .values_list("via", flat=True)
        .first()
    )
    return newest or ""


def conversations(*, limit: int = INBOX_LIMIT) -> list[Conversation]:
    """The inbox, the most recent first, with what the team has not read yet."""
    unread = (
        ChatEntry.objects.filter(
            contact_id=OuterRef("contact_id"),
            kind=Kind.FOR_TEAM,
            seq__gt=OuterRef("staff_read_seq"),
        )
        .order_by()
        .values("contact_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    last = (
        ChatEntry.objects.filter(contact_id=OuterRef("contact_id"))
        .exclude(kind__in=[Kind.HANDOFF, Kind.FALLBACK])
        .order_by("-seq")
    )
    rows = (
        ChatState.objects.filter(inbox_at__isnull=False)
        .annotate(
            unread=Subquery(unread[:1]),
            last_text=Subquery(last.values("text")[:1]),
            last_author=Subquery(last.values("author")[:1]),
        )
        .order_by("-inbox_at", "-contact_id")[:limit]
    )
    return [
        Conversation(
            contact_id=row.contact_id,
            at=row.inbox_at or row.updated_at,  # never None here: filtered above
            unread=row.unread or 0,
            last_text=row.last_text or "",
            last_author=row.last_author or "",
        )
        for row in rows
    ]


def conversation_unread_total() -> int:
    """How many conversations have something the team has not read."""
    waiting = ChatEntry.objects.filter(
        contact_id=OuterRef("contact_id"), kind=Kind.FOR_TEAM, seq__gt=OuterRef("staff_read_seq")
    )
    return ChatState.objects.filter(inbox_at__isnull=False).filter(Exists(waiting)).count()


def conversation_lines(*, contact_id: int, limit: int = 200) -> Sequence[ChatEntry]:
    """The conversation as staff read it, oldest first (the latest `limit` lines)."""
    newest = ChatEntry.objects.filter(contact_id=contact_id).order_by("-seq")[:limit]
    return sorted(newest, key=lambda entry: entry.seq)
