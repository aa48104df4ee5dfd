"""The widget registers the browser's push subscription (and removes it): the body is the
browser's PushSubscription.toJSON(); the call needs the write key and, when identity
verification is on, the user's hash (docs/security.md). The endpoint is untrusted input:
channels.push_webpush checks its host and keys before anything is stored."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from channels.push_devices import PushDevice, device_register, device_remove
from channels.push_webpush import SubscriptionProblem, subscription_check
from journeys.api.auth import WRITE_KEY
from journeys.api.chat import REFUSALS, _contact
from journeys.people.ingest import PayloadError

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
