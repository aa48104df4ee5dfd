"""What staff read about messages: a contact's messages, one message as it was rendered,
and deliveries that fail. Reads only; dataclasses out (journeys never sees a Message)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max

from channels.base import Channel
from channels.delivery.preview import PREVIEW_UNSUBSCRIBE_URL, render_preview
from channels.delivery.sending import contact_context
from channels.models import Message, MessageStatusChange
from channels.registry import channel_label, get_channel
from channels.rendering import MessageContent, RenderedMessage, sms_segments

STATUS_WORDS = {
    "queued": "Waiting to be sent",
    "sent": "Sent",
    "delivered": "Delivered",
    "opened": "Opened",
    "clicked": "Clicked",
    "suppressed": "Not sent",
    "cancelled": "Not sent",
    "failed": "Failed",
    "bounced": "Bounced",
    "complained": "Marked as spam",
    "unsubscribed": "Unsubscribed from it",
}
DEFERRAL_WORDS = {
    "quiet_hours": "held for quiet hours",
    "frequency_cap": "held by the limit on messages per day",
}
FAILING = ("failed", "bounced", "complained")


@dataclass(frozen=True)
class MessageLine:
    """One message as a row on a contact's page."""

    id: int
    channel: str
    channel_words: str
    template: str  # how the message page shows it: the channel's message_template
    has_html: bool  # the contact page offers an inline preview
    title: str
    status: str
    status_words: str
    reason: str
    at: datetime
    is_test: bool
    journey_id: int | None
    step_visit_id: int | None
    language: str = ""  # which language version went out and why; "": one language only


@dataclass(frozen=True)
class StatusStep:
    at: datetime
    words: str
    detail: str
    applied: bool


@dataclass(frozen=True)
class MessageView:
    """One message as the message page shows it: rendered as it went out (or would)."""

    line: MessageLine
    to_address: str
    rendered: RenderedMessage
    rendered_now: bool  # not sent yet: rendered for the page by the sending function
    history: tuple[StatusStep, ...]
    attempts: int
    scheduled_for: datetime
    last_error: str


@dataclass(frozen=True)
class FailingDeliveries:
    channel: str
    channel_words: str
    count: int
    last_at: datetime
    last_reason: str


def _line(message: Message) -> MessageLine:
    reason = message.status_reason
    if message.status == "queued" and message.deferred_reason:
        reason = DEFERRAL_WORDS.get(message.deferred_reason, message.deferred_reason)
    channel = get_channel(message.channel) or Channel()
    return MessageLine(
        id=message.pk,
        channel=message.channel,
        channel_words=channel_label(message.channel),
        template=channel.message_template,
        has_html=channel.has_html,
        title=_title(message),
        status=message.status,
        status_words=STATUS_WORDS.get(message.status, message.status),
        reason=reason,
        at=message.sent_at or message.scheduled_for or message.created_at,
        is_test=message.is_test,
        journey_id=message.journey_id,
        step_visit_id=message.step_visit_id,
        language=message.language_reason,
    )


def _title(message: Message) -> str:
    if message.subject:
        return message.subject
    if message.body:
        return " ".join(message.body.split())[:120]
    content = message.content or {}
    text = content.get("subject") or content.get("body") or ""
    return " ".join(str(text).split())[:120]


def contact_messages(*, contact_id: int, limit: int = 100) -> list[MessageLine]:
    """The contact's messages, newest first (test sends to staff excluded). Messages not
    sent yet are titled as they will read, not with their template."""
    rows = (
        Message.objects.filter(contact_id=contact_id, is_test=False)
        .select_related("contact")
        .order_by("-created_at", "-id")[:limit]
    )
    lines = []
    for message in rows:
        line = _line(message)
        if not (message.subject or message.body):
            rendered, _ = _rendering(message)
            title = rendered.subject or " ".join(rendered.text.split())[:120]
            line = dataclasses.replace(line, title=title or line.title)
        lines.append(line)
    return lines


def message_view(*, message_id: int) -> MessageView:
    """A message with its rendering and history; Message.DoesNotExist if there is none."""
    message = Message.objects.select_related("contact").get(pk=message_id)
    rendered, now = _rendering(message)
    history = tuple(
        StatusStep(
            at=change.occurred_at,
            words=STATUS_WORDS.get(change.to_status, change.to_status),
            detail=change.detail,
            applied=change.applied,
        )
        for change in MessageStatusChange.objects.filter(message=message).order_by(
            "recorded_at", "id"
        )
    )
    return MessageView(
        line=_line(message),
        to_address=message.to_address,
        rendered=rendered,
        rendered_now=now,
        history=history,
        attempts=message.attempts,
        scheduled_for=message.scheduled_for,
        last_error=message.last_error,
    )


def _rendering(message: Message) -> tuple[RenderedMessage, bool]:
    """What went out (stored at send), or, before the send, what the sender would render."""
    if message.subject or message.body or message.html:
        channel = get_channel(message.channel)
        sms = sms_segments(message.body) if channel is not None and channel.segments else None
        stored = RenderedMessage(
            channel=message.channel,
            subject=message.subject,
            preheader=message.preheader,
            text=message.body,
            html=message.html,
            url=str((message.content or {}).get("url", "")),
            sms=sms,
        )
        return stored, False
    content = MessageContent(**_content_fields(message.content or {}))
    context = {
        "contact": contact_context(message.contact),
        "event": (message.context or {}).get("event") or {},
        "events": (message.context or {}).get("events") or {},
        "journey": (message.context or {}).get("journey") or {},
        "unsubscribe_url": PREVIEW_UNSUBSCRIBE_URL,
    }
    return render_preview(message.channel, content, context), True


def _content_fields(content: dict[str, object]) -> dict[str, str]:
    names = {field.name for field in dataclasses.fields(MessageContent)}
    return {key: str(value) for key, value in content.items() if key in names}


def message_html(*, message_id: int) -> str:
    """The email's HTML as it went out (or would), for a sandboxed frame; "" if none."""
    view = message_view(message_id=message_id)
    return view.rendered.html


def failing_deliveries(*, since: datetime) -> list[FailingDeliveries]:
    """Per channel: failed, bounced and spam-marked messages since `since`, newest reason."""
    rows = (
        Message.objects.filter(status__in=FAILING, updated_at__gte=since, is_test=False)
        .values("channel")
        .annotate(count=Count("id"), last_at=Max("updated_at"))
        .order_by("-count")
    )
    found = []
    for row in rows:
        last = (
            Message.objects.filter(channel=row["channel"], status__in=FAILING, is_test=False)
            .order_by("-updated_at")
            .values_list("status_reason", "last_error")
            .first()
        )
        reason = (last[0] or last[1]) if last else ""
        found.append(
            FailingDeliveries(
                channel=row["channel"],
                channel_words=channel_label(row["channel"]),
                count=row["count"],
                last_at=row["last_at"],
                last_reason=reason[:200],
            )
        )
    return found
