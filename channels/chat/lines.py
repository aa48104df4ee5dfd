"""The in-app chat: what the bot and the contact said, in order, and what is unread.

Every line gets the contact's next sequence number under the ChatState row lock, so per
contact `seq` follows commit order: a stream that has seen up to N and asks for "after N"
gets every later line exactly once (docs/widget.md). Writers wake waiting streams through
channels.chat.wakeup once the line is committed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from channels.base import OutboundMessage
from channels.chat import wakeup
from channels.delivery.messages import message_mark_read
from channels.models import ChatEntry, ChatState, ChatWatch, Message
from journeys.core.steps import STEP_TYPES
from journeys.models import Contact, JourneyVersion, StepVisit

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
    via: str = ""  # a channel outside the chat the line went by (a text message)


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
    _lock_chats([contact_id], timezone.now())
    ChatState.objects.filter(contact_id=contact_id).update(
        last_seq=F("last_seq") + 1, updated_at=timezone.now()
    )
    return ChatState.objects.filter(contact_id=contact_id).values_list("last_seq", flat=True).get()


def _lock_chats(contact_ids: Iterable[int], now: datetime) -> dict[int, ChatState]:
    """Lock the contacts, then their chat states (made when missing), each in id order.

    Every chat writer takes the contact first, as the engine's batches do (they hold the
    contacts while they write bot lines): one order everywhere, so no two writers can
    wait on each other in a cycle."""
    ids = sorted(set(contact_ids))
    list(Contact.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))
    ChatState.objects.bulk_create(
        [ChatState(contact_id=pk, updated_at=now) for pk in ids], ignore_conflicts=True
    )
    states = ChatState.objects.select_for_update().filter(contact_id__in=ids).order_by("contact_id")
    return {state.contact_id: state for state in states}


def _entry(contact_id: int, seq: int, line: ChatLine, now: datetime) -> ChatEntry:
    bot = line.bot or BotIdentity()
    is_bot = line.author == ChatEntry.Author.BOT
    return ChatEntry(
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
        bot_name=bot.name if is_bot else "",
        bot_avatar=bot.avatar if is_bot else "",
        message_id=line.message_id,
        step_key=line.step_key,
        journey_id=line.journey_id,
        sender_name=line.sender_name if line.author == ChatEntry.Author.STAFF else "",
        client_key=line.client_key,
        via=line.via,
        created_at=now,
    )


@transaction.atomic(savepoint=False)  # the caller's transaction, or one of its own
def chat_post_many(
    *, lines: Sequence[tuple[int, ChatLine]], now: datetime | None = None
) -> list[ChatEntry]:
    """Append lines (contact id, line), in order, to the contacts' chats in a few queries
    whatever their number, and wake their streams after commit. A line for a journey
    message is stored once: posting it again returns the entry it already has."""
    now = now or timezone.now()
    message_ids = [line.message_id for _, line in lines if line.message_id is not None]
    existing = {e.message_id: e for e in ChatEntry.objects.filter(message_id__in=message_ids)}
    fresh = [(c, line) for c, line in lines if line.message_id not in existing]
    states = _lock_chats((contact_id for contact_id, _ in fresh), now) if fresh else {}
    entries: list[ChatEntry] = []
    for contact_id, line in fresh:
        state = states[contact_id]
        state.last_seq += 1
        entries.append(_entry(contact_id, state.last_seq, line, now))
        if line.kind in (Kind.QUESTION, Kind.REASK):
            state.open_seq = state.last_seq
        elif line.kind == Kind.MESSAGE:
            state.open_seq = None  # the journey moved on: an earlier question waits no more
        state.updated_at = now
    ChatEntry.objects.bulk_create(entries)
    ChatState.objects.bulk_update(list(states.values()), ["last_seq", "open_seq", "updated_at"])
    wakeup.publish_many(sorted(states))
    made = iter(entries)
    return [existing.get(line.message_id) or next(made) for _, line in lines]


def chat_post(*, contact_id: int, line: ChatLine, now: datetime | None = None) -> ChatEntry:
    """Append one line to the contact's chat and wake its streams after commit."""
    return chat_post_many(lines=[(contact_id, line)], now=now)[0]


def _journey_facts(messages: Sequence[Message]) -> dict[int, tuple[dict[str, Any], dict[str, Any]]]:
    """Message id → (the journey document's step that sent it, the journey's bot), read
    from the versions they were sent from in two queries; absent for other messages."""
    visits = {
        pk: (key, version)
        for pk, key, version in StepVisit.objects.filter(
            pk__in=[m.step_visit_id for m in messages if m.step_visit_id is not None]
        ).values_list("pk", "step__key", "step__version_id")
    }
    documents = dict(
        JourneyVersion.objects.filter(pk__in={v for _, v in visits.values()}).values_list(
            "pk", "spec"
        )
    )
    facts = {}
    for message in messages:
        if message.step_visit_id not in visits:
            continue
        key, version = visits[message.step_visit_id]
        document = documents.get(version) or {}
        steps = [s for s in document.get("steps", []) if isinstance(s, dict) and s.get("id") == key]
        bot = document.get("bot")
        facts[message.pk] = (steps[0] if steps else {}), (bot if isinstance(bot, dict) else {})
    return facts


def _delivered_line(message: Message, outbound: OutboundMessage, facts: tuple) -> ChatLine:
    """The chat line an in-app message becomes. One no step sent (a one-off from staff)
    speaks as its sender; one sent by a step whose type asks a question (`chat_question`)
    is a question: its quick replies or the kind of answer it wants come from the journey
    version it was sent from, and so does the bot."""
    if message.step_visit_id is None:
        return _staff_line(message, outbound)
    step, bot = facts
    rendered = outbound.rendered
    step_type = STEP_TYPES.get(str(step.get("type", "")))
    is_question = step_type is not None and step_type.chat_question
    raw_answer = step.get("answer")
    answer: dict[str, Any] = raw_answer if isinstance(raw_answer, dict) else {}
    return ChatLine(
        author=ChatEntry.Author.BOT,
        kind=Kind.QUESTION if is_question else Kind.MESSAGE,
        text=rendered.text,
        subject=rendered.subject,
        url=rendered.url,
        cta=str(message.content.get("cta", ""))[:80],
        replies=_replies_in(step, message.language) if is_question else (),
        answer={**({"type": "text"} if is_question and not step.get("replies") else {}), **answer},
        bot=BotIdentity(
            name=str(bot.get("name", "")) or BotIdentity.name, avatar=str(bot.get("avatar", ""))
        ),
        message_id=message.pk,
        step_key=str(step.get("id", "")),
        journey_id=message.journey_id,
    )


def _replies_in(step: dict[str, Any], language: str) -> list[dict[str, Any]]:
    """The question's quick replies with the labels of the version sent (same values)."""
    replies = step.get("replies", [])
    version = (step.get("locales") or {}).get(language) if language else None
    labels = version.get("replies") if isinstance(version, dict) else None
    if not isinstance(labels, list) or len(labels) != len(replies):
        return list(replies)
    return [{**reply, "label": label} for reply, label in zip(replies, labels, strict=True)]


def chat_post_delivered_many(outbounds: Sequence[OutboundMessage]) -> list[ChatEntry]:
    """In-app messages are delivered by becoming chat lines (once per message), in order."""
    messages = Message.objects.in_bulk([outbound.message_id for outbound in outbounds])
    facts = _journey_facts(list(messages.values()))
    lines = [
        (
            messages[o.message_id].contact_id,
            _delivered_line(messages[o.message_id], o, facts.get(o.message_id, ({}, {}))),
        )
        for o in outbounds
    ]
    return chat_post_many(lines=lines)


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


def chat_watch(*, contact_id: int, seconds: float) -> None:
    """Someone has the contact's chat open for at least `seconds` more (a stream, a long
    poll): the event worker takes the contact's events first meanwhile (chat_watched)."""
    until = timezone.now() + timedelta(seconds=seconds)
    ChatWatch.objects.bulk_create(
        [ChatWatch(contact_id=contact_id, until=until)],
        update_conflicts=True,
        unique_fields=["contact"],
        update_fields=["until"],
    )


def chat_watched(*, now: datetime) -> QuerySet[ChatWatch, Any]:
    """The contacts whose chat is open now, as a subquery of contact ids."""
    return ChatWatch.objects.filter(until__gt=now).values("contact_id")


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
        data["cta"] = entry.cta  # "": the widget says "Open" in the contact's language
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
