"""Segment-compatible endpoints: parse, hand to the ingest service, answer."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router

from journeys.api.auth import SECRET_KEY
from journeys.api.limits import events_allow
from journeys.api.parsing import finish, parse_batch_item
from journeys.api.schemas import (
    Accepted,
    AliasIn,
    BatchAccepted,
    BatchIn,
    ContactOut,
    Erased,
    Failure,
    GroupIn,
    IdentifyIn,
    PageIn,
    ScreenIn,
    TrackIn,
    _Message,
)
from journeys.api.storable import may_be_unstorable
from journeys.people.identity import IdentityRefused, event_hash, event_identity_verify
from journeys.people.ingest import NotFound, PayloadError
from journeys.run.events import event_ingest
from journeys.run.metrics import EVENTS_ACCEPTED, EVENTS_REFUSED
from journeys.run.privacy import ContactNotFound, contact_erase_by_user_id, contact_export
from journeys.run.profiles import contact_profile

router = Router(tags=["tracking"])
ERRORS = {400: Failure, 401: Failure, 403: Failure, 413: Failure, 429: Failure}


def _ingest_one(request: HttpRequest, payload: _Message) -> dict:
    events_allow(source_id=request.auth.id, events=1)  # type: ignore[attr-defined]
    received_at = timezone.now()
    incoming = finish(payload, received_at=received_at, sent_at=None)
    event_identity_verify(
        source=request.auth,  # type: ignore[attr-defined]  # set by ninja's auth
        incoming=incoming,
        presented=event_hash(request, incoming.context),
    )
    source_id = request.auth.id  # type: ignore[attr-defined]
    event_ingest(source_id=source_id, messages=[incoming], received_at=received_at)
    EVENTS_ACCEPTED.inc()
    return {"success": True}


@router.post("/track", response={200: Accepted, **ERRORS}, summary="Record an action")
def track(request: HttpRequest, payload: TrackIn):
    return _ingest_one(request, payload)


@router.post("/identify", response={200: Accepted, **ERRORS}, summary="Set a user's traits")
def identify(request: HttpRequest, payload: IdentifyIn):
    return _ingest_one(request, payload)


@router.post("/page", response={200: Accepted, **ERRORS}, summary="Record a page view")
def page(request: HttpRequest, payload: PageIn):
    return _ingest_one(request, payload)


@router.post("/screen", response={200: Accepted, **ERRORS}, summary="Record a screen view")
def screen(request: HttpRequest, payload: ScreenIn):
    return _ingest_one(request, payload)


@router.post("/group", response={200: Accepted, **ERRORS}, summary="Tie a user to a group")
def group(request: HttpRequest, payload: GroupIn):
    return _ingest_one(request, payload)


@router.post("/alias", response={200: Accepted, **ERRORS}, summary="Merge two identities")
def alias(request: HttpRequest, payload: AliasIn):
    return _ingest_one(request, payload)


@router.post(
    "/batch",
    response={200: BatchAccepted, **ERRORS},
    summary="Send many messages at once",
    description="Every valid item is stored; rejected items are listed with their index.",
    exclude_none=True,
)
def batch(request: HttpRequest, payload: BatchIn):
    events_allow(source_id=request.auth.id, events=len(payload.batch))  # type: ignore[attr-defined]
    received_at = timezone.now()
    max_bytes = settings.EVENT_API_MAX_MESSAGE_BYTES
    check_size = len(request.body) > max_bytes
    check_text = may_be_unstorable(request.body)
    accepted, rejected = [], []
    for index, item in enumerate(payload.batch):
        try:
            incoming = parse_batch_item(
                item,
                received_at=received_at,
                sent_at=payload.sentAt,
                max_bytes=max_bytes if check_size else None,
                check_text=check_text,
            )
            event_identity_verify(
                source=request.auth,  # type: ignore[attr-defined]
                incoming=incoming,
                presented=event_hash(request, incoming.context),
            )
        except PayloadError as exc:
            rejected.append({"index": index, "field": exc.field, "error": exc.reason})
        except IdentityRefused as exc:
            rejected.append(
                {"index": index, "field": exc.field, "error": exc.message, "code": exc.code}
            )
        else:
            accepted.append(incoming)
    source_id = request.auth.id  # type: ignore[attr-defined]
    event_ingest(source_id=source_id, messages=accepted, received_at=received_at)
    EVENTS_ACCEPTED.inc(len(accepted))
    if rejected:
        EVENTS_REFUSED.labels("invalid item").inc(len(rejected))
    return {"success": True, "accepted": len(accepted), "rejected": rejected}


CONTACT_ERRORS = {401: Failure, 403: Failure, 404: Failure}


@router.get(
    "/contacts/{user_id}",
    response={200: ContactOut, **CONTACT_ERRORS},
    tags=["contacts"],
    auth=SECRET_KEY,
    summary="A contact's traits, subscriptions, recent events and enrollments (secret key)",
)
def contact_detail(request: HttpRequest, user_id: str):
    profile = contact_profile(user_id=user_id)
    if profile is None:
        raise NotFound(f"No contact with user_id {user_id!r}.")
    return profile


@router.get(
    "/contacts/{user_id}/export",
    response={200: dict[str, Any], **CONTACT_ERRORS},
    tags=["privacy"],
    auth=SECRET_KEY,
    summary="Everything held about a person, as JSON (secret key; audited)",
)
def contact_export_view(request: HttpRequest, user_id: str):
    try:
        return contact_export(user_id=user_id, actor_label=_key_label(request))
    except ContactNotFound as exc:
        raise NotFound(str(exc)) from None


@router.delete(
    "/contacts/{user_id}",
    response={200: Erased, **CONTACT_ERRORS},
    tags=["privacy"],
    auth=SECRET_KEY,
    summary="Erase a person (secret key; audited); anonymous counts are kept",
)
def contact_erase_view(request: HttpRequest, user_id: str):
    try:
        removed = contact_erase_by_user_id(user_id=user_id, actor_label=_key_label(request))
    except ContactNotFound as exc:
        raise NotFound(str(exc)) from None
    return {"success": True, "erased": removed}


def _key_label(request: HttpRequest) -> str:
    return f"secret key {request.auth.name}"  # type: ignore[attr-defined]
