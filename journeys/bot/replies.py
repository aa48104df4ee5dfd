"""What happens when a contact writes to the bot (in the widget, or by SMS).

In order: an open question (an `ask` step waiting for its answer) takes the reply; else
a keyword reply of the source answers; else the reply goes to the staff inbox: the bot
says honestly that a person will read it (once, until the team answers) and the team is
told (the journey's notify targets, once per conversation until someone opens it). A text
(SMS) reply goes to the same conversation as the chat, marked as a text; the bot's words
go back by text, and so does the team's answer (channels.chat.conversations). The pure
parts (matching, wording) live in journeys.bot.words."""

from __future__ import annotations

import logging
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from channels.chat.conversations import conversation_hand_over, conversation_with_person
from channels.chat.lines import ChatLine, chat_last_bot_line, chat_post, chat_snapshot
from channels.delivery.team import team_notify
from channels.models import ChatEntry
from channels.registry import get_channel
from journeys.bot.asks import ask_answer
from journeys.bot.speech import Reply, ReplyOutcome, bot_say
from journeys.bot.words import handoff_text, match_keyword
from journeys.core.steps.notify import notify_targets
from journeys.models import Contact, Enrollment, JourneyVersion, KeywordReply

logger = logging.getLogger(__name__)
REPLY_MAX_LENGTH = 1000
Kind = ChatEntry.Kind


class ReplyRefused(ValueError):
    """A reply that cannot be taken (empty, too long): the caller answers 400."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field} {reason}")
        self.field, self.reason = field, reason


def _checked(reply: Reply) -> Reply:
    text = " ".join(reply.text.split()) if reply.text else ""
    if not text:
        raise ReplyRefused("text", "is empty: write something, or press a quick reply")
    if len(text) > REPLY_MAX_LENGTH:
        raise ReplyRefused("text", f"is longer than {REPLY_MAX_LENGTH} characters")
    if reply.value is not None and len(reply.value) > 200:
        raise ReplyRefused("value", "is longer than 200 characters")
    if len(reply.key) > 64:
        raise ReplyRefused("key", "is longer than 64 characters")
    return Reply(
        text=text, value=reply.value, question=reply.question, channel=reply.channel, key=reply.key
    )


@transaction.atomic
def reply_receive(*, contact: Contact, reply: Reply, now: datetime | None = None) -> ReplyOutcome:
    """Take one reply from a contact: record it in the chat, then answer it (see module).
    A chat reply whose key was already taken is not taken again: its lines come back."""
    now = now or timezone.now()
    reply = _checked(reply)
    mine: ChatEntry | None = None
    if reply.in_chat:
        mine = _record(contact, reply, now)
        if mine is None:
            return _repeated(contact, reply.key)
    outcome = ask_answer(contact, reply, now)  # an open question takes the reply first
    if outcome is None:
        outcome = _keyword_reply(contact, reply, now) or _to_team(
            contact, reply, mine or _record_text(contact, reply, now), now
        )
    outcome.lines = ([mine] if mine else []) + outcome.lines
    outcome.state = chat_snapshot(contact_id=contact.pk).as_json()
    return outcome


def _record(contact: Contact, reply: Reply, now: datetime) -> ChatEntry | None:
    """The contact's line in the chat; None when a line with the same key exists."""
    if reply.key and ChatEntry.objects.filter(contact=contact, client_key=reply.key).exists():
        return None
    line = ChatLine(author="user", kind=Kind.REPLY, text=reply.text, client_key=reply.key)
    try:
        return chat_post(contact_id=contact.pk, line=line, now=now)
    except IntegrityError:  # the same reply, sent again at the same moment
        return None


def _record_text(contact: Contact, reply: Reply, now: datetime) -> ChatEntry:
    """A text (SMS) reply's line in the contact's conversation, marked with its channel."""
    line = ChatLine(author="user", kind=Kind.REPLY, text=reply.text, via=reply.channel)
    return chat_post(contact_id=contact.pk, line=line, now=now)


def _repeated(contact: Contact, key: str) -> ReplyOutcome:
    """A reply sent twice (the widget retried after a lost answer): what it got the first
    time, the contact's line and the answers after it, and nothing new."""
    first = ChatEntry.objects.get(contact=contact, client_key=key)
    after = ChatEntry.objects.filter(contact=contact, seq__gt=first.seq).order_by("seq")
    lines = [first]
    for entry in after[:20]:
        if entry.author == ChatEntry.Author.USER:
            break
        lines.append(entry)
    state = chat_snapshot(contact_id=contact.pk).as_json()
    return ReplyOutcome("repeat", lines=lines, state=state)


def _keyword_reply(contact: Contact, reply: Reply, now: datetime) -> ReplyOutcome | None:
    if contact.source_id is None:
        return None
    choices = list(
        KeywordReply.objects.filter(source_id=contact.source_id).values_list(
            "phrase", "answer", "url", "link_label"
        )
    )
    found = match_keyword(
        reply.text, [(phrase, (answer, url, label)) for phrase, answer, url, label in choices]
    )
    if found is None:
        return None
    answer, url, label = found
    if not reply.in_chat:
        return ReplyOutcome("keyword", sms_answer=f"{answer} {url}".strip())
    entry = bot_say(
        contact_id=contact.pk, kind=Kind.KEYWORD, text=answer, now=now, url=url, cta=label
    )
    return ReplyOutcome("keyword", lines=[entry])


def _current_version(contact: Contact) -> JourneyVersion | None:
    """The version of the journey the contact is in now (the latest one they entered)."""
    enrollment = (
        Enrollment.objects.filter(contact=contact, state__in=Enrollment.OPEN_STATES)
        .select_related("version")
        .order_by("-entered_at")
        .first()
    )
    return enrollment.version if enrollment is not None else None


def _tell_team(contact: Contact, text: str, *, inbox: bool) -> bool:
    """Tell the journey's notify targets what the contact wrote; False when there are none."""
    version = _current_version(contact)
    targets = notify_targets(version.spec) if version is not None else []
    who = contact.first_name or contact.user_id or "Someone"
    where = f" Answer in the inbox: {settings.PUBLIC_URL}{reverse('inbox:list')}" if inbox else ""
    for target in targets:
        try:
            said = f"{who} wrote to the bot and it could not answer: “{text}”.{where}"
            topic = str(version.spec.get("name", "")) if version is not None else ""
            team_notify(target=target, text=said, topic=topic)
        except ValueError:
            logger.warning("reply.notify_invalid_target", extra={"target": target})
    return bool(targets)


def _to_team(contact: Contact, reply: Reply, mine: ChatEntry, now: datetime) -> ReplyOutcome:
    """A reply nothing handled goes to the staff inbox. The bot says a person will read it,
    once until the team answers (by text for a text); a reply to a person's message needs
    no bot at all."""
    talking_to = conversation_with_person(contact_id=contact.pk, before=mine.seq)
    if conversation_hand_over(entry=mine, now=now):
        _tell_team(contact, reply.text, inbox=True)
    if talking_to:
        return ReplyOutcome("team")
    last = chat_last_bot_line(contact_id=contact.pk, kinds=[Kind.MESSAGE, Kind.QUESTION])
    source = contact.source
    text = handoff_text(
        custom=source.handoff_text if source else "",
        team=source.name if source else "",
        next_step=last.text if last is not None else "",
        locale=contact.locale,
    )
    if not reply.in_chat:
        bot_say(contact_id=contact.pk, kind=Kind.HANDOFF, text=text, now=now, via=reply.channel)
        return ReplyOutcome("team", sms_answer=text)
    extra = {"url": last.url, "cta": last.cta} if last is not None and last.url else {}
    entry = bot_say(contact_id=contact.pk, kind=Kind.HANDOFF, text=text, now=now, **extra)
    return ReplyOutcome("team", lines=[entry])


def reply_from_address(channel: str, address: str, text: str) -> str:
    """A text reply (SMS): the contacts with this address (phone number) answer, the first
    answer is sent back (journeys/api/text_replies.py hands these over from the provider's
    webhook)."""
    found = get_channel(channel)
    if found is None or found.replies != "text" or not found.contact_field or not text.strip():
        return ""
    answers = []
    same_address = Contact.objects.filter(**{found.contact_field: address})
    for contact in same_address.order_by("-last_seen_at")[:5]:
        try:
            outcome = reply_receive(contact=contact, reply=Reply(text=text, channel=channel))
        except ReplyRefused:
            return ""
        if outcome.handled_by == "answer":
            return ""
        answers.append(outcome.sms_answer)
    return answers[0] if answers else ""
