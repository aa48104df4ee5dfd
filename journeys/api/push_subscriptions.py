"""The widget registers the browser's push subscription (and removes it): the body is the
browser's PushSubscription.toJSON(); the call needs the write key and, when identity
verification is on, the user's hash (docs/security.md). The endpoint is untrusted input:
channels.push_webpush checks its host and keys before anything is stored."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from channels.delivery.messages import message_track
from channels.push import tracked_message
from channels.push_devices import PushDevice, device_register, device_remove
from channels.push_webpush import SubscriptionProblem, subscription_check
from journeys.api.auth import WRITE_KEY
from journeys.api.chat import CLICKED_EVENT, REFUSALS, _contact
from journeys.api.schemas import Failure
from journeys.models import Contact
from journeys.people.ingest import Incoming, NotFound, PayloadError
from journeys.run.events import event_ingest

router = Router(auth=WRITE_KEY, tags=["push notifications"])
PATH = "/contacts/{user_id}/push-subscriptions"


class SubscriptionIn(Schema):
    endpoint: str = Field(description="The push service URL the browser was given.")
    keys: dict[str, str] = Field(default_factory=dict, description="p256dh and auth.")
    expirationTime: int | None = None  # noqa: N815 - the browser's own name


class EndpointIn(Schema):
    endpoint: str


class Done(Schema):
    success: bool = True


class BrowserKey(Schema):
    key: str = Field(description="The VAPID public key (base64url) a browser subscribes with.")


@router.get(PATH, response={200: BrowserKey, **REFUSALS}, summary="The key to subscribe with")
def browser_key(request: HttpRequest, user_id: str):
    """What the widget hands PushManager.subscribe() ("" when Web Push is not set up)."""
    _contact(request, user_id)
    return {"key": settings.VAPID_PUBLIC_KEY or ""}


@router.post(PATH, response={200: Done, **REFUSALS}, summary="Register this browser for push")
def subscribe(request: HttpRequest, user_id: str, payload: SubscriptionIn):
    contact = _contact(request, user_id)
    try:
        endpoint, p256dh, auth = subscription_check(payload.dict())
    except SubscriptionProblem as problem:
        raise PayloadError(problem.field, problem.reason) from None
    device_register(
        contact_id=contact.pk,
        kind=PushDevice.Kind.WEB,
        token=endpoint,
        p256dh=p256dh,
        auth=auth,
        now=timezone.now(),
    )
    return {"success": True}


@router.delete(PATH, response={200: Done, **REFUSALS}, summary="Stop push to this browser")
def unsubscribe(request: HttpRequest, user_id: str, payload: EndpointIn):
    contact = _contact(request, user_id)
    device_remove(token=payload.endpoint, contact_id=contact.pk)
    return {"success": True}


# --- what the service worker reports (static/stepwise/push-sw.js) ----------------------

tracking = Router(auth=None, tags=["push notifications"])
REPORTED = {"shown": ("delivered", "shown by the browser"), "clicked": ("clicked", "tapped")}


@tracking.post(
    "/push-notifications/{token}/{what}",
    response={200: Done, 404: Failure},
    summary="The service worker reports a notification shown or clicked",
)
def report(request: HttpRequest, token: str, what: str):
    message_id = tracked_message(token)
    if message_id is None or what not in REPORTED:
        raise NotFound("No such notification.")
    status, detail = REPORTED[what]
    message = message_track(status=status, message_id=message_id, detail=detail)
    if message is None:
        raise NotFound("No such notification.")
    if what == "clicked":
        _clicked_event(message.contact_id, message.url or "")
    return {"success": True}


def _clicked_event(contact_id: int, url: str) -> None:
    """The event a journey can wait for, as a click in the widget records it."""
    contact = Contact.objects.filter(pk=contact_id).first()
    if contact is None or contact.source_id is None or not contact.user_id:
        return
    now = timezone.now()
    event_ingest(
        source_id=contact.source_id,
        messages=[
            Incoming(
                type="track",
                name=CLICKED_EVENT,
                user_id=contact.user_id,
                anonymous_id=None,
                message_id=f"push-click-{uuid.uuid4()}",
                timestamp=now,
                properties={"url": url, "kind": "push notification"},
            )
        ],
        received_at=now,
    )
