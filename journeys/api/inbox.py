"""In-app inbox API (mounted under /v1/ by journeys/api/router.py)."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpRequest
from ninja import Router, Schema, Status

from channels.delivery.messages import message_mark_read
from channels.models import Message
from channels.registry import inbox_channels
from journeys.api.auth import SECRET_KEY, WRITE_KEY
from journeys.api.schemas import Failure
from journeys.models import Contact
from journeys.people.identity import identity_verify_request
from journeys.people.secret_keys import CachedSecretKey

router = Router(auth=[*WRITE_KEY, *SECRET_KEY], tags=["inbox"])
INBOX_STATUSES = ["delivered", "opened", "clicked"]
INBOX_LIMIT = 100


class InboxMessage(Schema):
    id: int
    subject: str
    text: str
    url: str = ""  # the call-to-action link, if the message has one
    sent_at: datetime | None
    read_at: datetime | None


class Inbox(Schema):
    success: bool = True
    unread: int
    messages: list[InboxMessage]


class Error(Schema):
    """The event API's refusal shape (journeys/api/errors.py)."""

    success: bool = False
    error: str
    code: str = "not_found"
    message: str = ""


def _not_found(error: str) -> Status:
    return Status(404, Error(error=error, message=error))


def _contact(request: HttpRequest, user_id: str) -> Contact | None:
    """The inbox owner, once the caller proved it acts for them (else IdentityRefused).

    A secret server key reads any inbox; a write key only its own source's contacts'."""
    if isinstance(request.auth, CachedSecretKey):  # type: ignore[attr-defined]
        return Contact.objects.filter(user_id=user_id).first()
    identity_verify_request(request, user_id)
    contact = Contact.objects.filter(user_id=user_id).first()
    if contact is None or contact.source_id not in (None, request.auth.id):  # type: ignore[attr-defined]
        return None
    return contact


def _item(message: Message) -> InboxMessage:
    return InboxMessage(
        id=message.pk,
        subject=message.subject,
        text=message.body,
        url=message.url,
        sent_at=message.sent_at,
        read_at=message.read_at,
    )


REFUSALS = {401: Failure, 403: Failure, 404: Error}


@router.get(
    "/contacts/{user_id}/messages",
    response={200: Inbox, **REFUSALS},
    summary="A user's in-app inbox (needs the user's hash)",
)
def inbox(request: HttpRequest, user_id: str) -> Status:
    contact = _contact(request, user_id)
    if contact is None:
        return _not_found("No contact with this user id.")
    messages = list(
        Message.objects.filter(
            contact=contact, channel__in=inbox_channels(), status__in=INBOX_STATUSES, is_test=False
        ).order_by("-sent_at", "-id")[:INBOX_LIMIT]
    )
    unread = sum(1 for m in messages if m.read_at is None)
    return Status(200, Inbox(unread=unread, messages=[_item(m) for m in messages]))


@router.post(
    "/contacts/{user_id}/messages/{message_id}/read",
    response={200: InboxMessage, **REFUSALS},
    summary="Mark an inbox message read (needs the user's hash)",
)
def mark_read(request: HttpRequest, user_id: str, message_id: int) -> Status:
    contact = _contact(request, user_id)
    exists = (
        contact is not None
        and 0 < message_id < 2**63  # beyond a bigint PostgreSQL refuses the query itself
        and Message.objects.filter(
            pk=message_id,
            contact=contact,
            channel__in=inbox_channels(),
            status__in=INBOX_STATUSES,
            is_test=False,
        ).exists()
    )
    if not exists:
        return _not_found("No such message in this contact's inbox.")
    return Status(200, _item(message_mark_read(message_id=message_id)))
