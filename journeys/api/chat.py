"""The widget's calls besides the stream: a token to open the stream with, reply to the
bot, mark the chat read, record a call-to-action click. Each needs the write key and the
user's hash (docs/security.md)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from channels.chat.lines import chat_mark_read, entry_json
from channels.chat.tokens import stream_token_make
from channels.delivery.messages import message_track
from channels.models import ChatEntry
from journeys.api.auth import WRITE_KEY
from journeys.api.schemas import Failure
from journeys.bot.replies import Reply, ReplyRefused, reply_receive
from journeys.models import Contact
from journeys.people.identity import identity_verify_request
from journeys.people.ingest import Incoming, NotFound, PayloadError
from journeys.run.events import event_ingest

router = Router(auth=WRITE_KEY, tags=["chat"])
REFUSALS = {400: Failure, 401: Failure, 403: Failure, 404: Failure}
CLICKED_EVENT = "Clicked Message Link"


class ReplyIn(Schema):
    text: str = Field(
        max_length=4000, description="What the contact typed, or the quick reply's label."
    )
    value: str | None = Field(None, max_length=200, description="The quick reply's stored value.")
    question: int | None = Field(None, ge=1, description="The chat line of the question answered.")
    key: str = Field(
        "",
        max_length=64,
        description="The widget's key for this reply: sent again (after a lost answer or "
        "offline), it is kept once and its first answer comes back.",
    )


class ReadIn(Schema):
    up_to: int = Field(ge=0, description="Everything the bot said up to this chat line is read.")


class ChatState(Schema):
    last: int
    unread: int
    open: int | None


class ChatAnswer(Schema):
    success: bool = True
    lines: list[dict] = Field(description="New chat lines, oldest first.")
    state: ChatState


class ClickAnswer(Schema):
    success: bool = True
    url: str


class StreamTokenAnswer(Schema):
    success: bool = True
    token: str = Field(description="Open GET /v1/contacts/{user_id}/stream?token=… with it.")
    expires_in: int = Field(description="Seconds it stays valid; it opens one stream.")
    locale: str = Field("", description="The contact's locale (e.g. fr-CA), empty when unknown.")


def _contact(request: HttpRequest, user_id: str) -> Contact:
    """The contact the call acts for, once it proved it may (else IdentityRefused/NotFound)."""
    identity_verify_request(request, user_id)
    contact = Contact.objects.filter(user_id=user_id).first()
    if contact is None or contact.source_id not in (None, request.auth.id):  # type: ignore[attr-defined]
        raise NotFound("No contact with this user id.")
    return contact


@router.post(
    "/contacts/{user_id}/chat/stream-token",
    response={200: StreamTokenAnswer, **REFUSALS},
    summary="A short-lived, single-use token to open the chat stream with (needs the hash)",
)
def stream_token(request: HttpRequest, user_id: str):
    identity_verify_request(request, user_id)
    source_id = request.auth.id  # type: ignore[attr-defined]
    token = stream_token_make(source_id=source_id, user_id=user_id)
    locale = (
        Contact.objects.filter(Q(source_id=None) | Q(source_id=source_id), user_id=user_id)
        .values_list("locale", flat=True)
        .first()
    )
    return {
        "token": token,
        "expires_in": int(settings.CHAT_STREAM_TOKEN_SECONDS),
        "locale": locale or "",
    }


@router.post(
    "/contacts/{user_id}/chat/replies",
    response={200: ChatAnswer, **REFUSALS},
    summary="Reply to the bot (needs the user's hash)",
)
def reply(request: HttpRequest, user_id: str, payload: ReplyIn):
    contact = _contact(request, user_id)
    try:
        outcome = reply_receive(
            contact=contact,
            reply=Reply(
                text=payload.text,
                value=payload.value,
                question=payload.question,
                key=payload.key,
            ),
        )
    except ReplyRefused as refused:
        raise PayloadError(refused.field, refused.reason) from None
    return {"lines": [entry_json(line) for line in outcome.lines], "state": outcome.state}


@router.post(
    "/contacts/{user_id}/chat/read",
    response={200: ChatAnswer, **REFUSALS},
    summary="Mark the chat read up to a line (needs the user's hash)",
)
def read(request: HttpRequest, user_id: str, payload: ReadIn):
    contact = _contact(request, user_id)
    state = chat_mark_read(contact_id=contact.pk, up_to=payload.up_to)
    return {"lines": [], "state": state.as_json()}


@router.post(
    "/contacts/{user_id}/chat/{seq}/click",
    response={200: ClickAnswer, **REFUSALS},
    summary="Record a click on a message's button (needs the user's hash)",
)
def click(request: HttpRequest, user_id: str, seq: int):
    contact = _contact(request, user_id)
    entry = ChatEntry.objects.filter(contact=contact, seq=seq).exclude(url="").first()
    if entry is None:
        raise NotFound("No chat line with a button at this position.")
    now = timezone.now()
    if entry.message_id is not None:
        message_track(status="clicked", message_id=entry.message_id, detail="button in the widget")
    properties = {"url": entry.url, "label": entry.cta, "kind": entry.kind}
    if entry.step_key:
        properties["step"] = entry.step_key
    event_ingest(
        source_id=request.auth.id,  # type: ignore[attr-defined]
        messages=[
            Incoming(
                type="track",
                name=CLICKED_EVENT,
                user_id=user_id,
                anonymous_id=None,
                message_id=f"chat-click-{uuid.uuid4()}",
                timestamp=now,
                properties=properties,
            )
        ],
        received_at=now,
    )
    return {"url": entry.url}
