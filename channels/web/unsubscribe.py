"""Signed unsubscribe links: a preferences page and the RFC 8058 one-click endpoint."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.http import base36_to_int, int_to_base36
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels import conf
from channels.delivery.messages import message_track
from channels.delivery.subscriptions import (
    subscription_preferences_save,
    subscription_set,
    subscription_states,
)
from channels.models import Message
from channels.registry import get_channel, preference_labels
from channels.web.language import contact_language
from journeys.models import Subscription

_SALT = "channels.web.unsubscribe"
# How the page names a subscription's state, beside its box.
_STATE_WORDS: dict[str, Promise] = {
    Subscription.State.SUBSCRIBED: gettext_lazy("subscribed"),
    Subscription.State.UNSUBSCRIBED: gettext_lazy("unsubscribed"),
    Subscription.State.BOUNCED: gettext_lazy("bounced: the address did not work"),
    Subscription.State.COMPLAINED: gettext_lazy("marked as spam"),
}


def _signature(ident: str) -> str:
    return salted_hmac(_SALT, ident, algorithm="sha256").hexdigest()[:24]


def make_token(*, message_id: int) -> str:
    """A short signed token for one message (no expiry: old emails keep working).

    Short on purpose: Python's email package rewrites a List-Unsubscribe URL longer than a
    header line into encoded-words, which mail clients then can't use.
    """
    ident = int_to_base36(message_id)
    return f"{ident}-{_signature(ident)}"


def read_token(token: str) -> tuple[int, int] | None:
    """(contact_id, message_id) for a valid token, else None."""
    ident, _, signature = token.partition("-")
    if not ident or not constant_time_compare(signature, _signature(ident)):
        return None
    contact_id = (
        Message.objects.filter(pk=base36_to_int(ident)).values_list("contact_id", flat=True).first()
    )
    return None if contact_id is None else (contact_id, base36_to_int(ident))


def unsubscribe_urls(message: Message) -> tuple[str, str]:
    """The preferences page and the RFC 8058 one-click URL for a message's footer/headers.

    Test sends get a notice page and no one-click header: they go to staff, not the contact.
    """
    if message.is_test:
        return conf.public_url() + reverse("channels-unsubscribe-test"), ""
    token = make_token(message_id=message.pk)
    return (
        conf.public_url() + reverse("channels-unsubscribe", args=[token]),
        conf.public_url() + reverse("channels-unsubscribe-one-click", args=[token]),
    )


def _subscription_of_message(message_id: int) -> str:
    """The subscription the link's message came by (its channel's opt-out)."""
    message = Message.objects.filter(pk=message_id).only("channel").first()
    channel = get_channel(message.channel) if message is not None else None
    return (channel.subscription or "") if channel is not None else ""


def _unsubscribe_from_channel(contact_id: int, message_id: int, reason: str) -> None:
    """Opt out of the channel the message came by (an email's link: all emails)."""
    subscription = _subscription_of_message(message_id)
    message_track(status="unsubscribed", message_id=message_id, detail=reason)
    if subscription:
        subscription_set(
            contact_id=contact_id, channel=subscription, state="unsubscribed", reason=reason
        )


@require_http_methods(["GET", "POST"])
def preferences_view(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the page (link scanners change nothing); POST saves the choices."""
    parsed = read_token(token)
    if parsed is None:
        with translation.override(translation.get_language_from_request(request)):
            return render(request, "channels/unsubscribe/invalid.html", status=400)
    with translation.override(contact_language(parsed[0])):
        return _preferences(request, token, *parsed)


def _preferences(
    request: HttpRequest, token: str, contact_id: int, message_id: int
) -> HttpResponse:
    """The preferences page (after a POST, saved), in the active language."""
    saved = request.method == "POST"
    if saved and request.POST.get("action") == "unsubscribe-email":
        _unsubscribe_from_channel(contact_id, message_id, "unsubscribe page")
    elif saved:
        wanted = [c for c in preference_labels() if request.POST.get(c) == "on"]
        subscription_preferences_save(
            contact_id=contact_id, wanted=wanted, reason="preferences page"
        )
    labels = {key: gettext(label) for key, label in preference_labels().items()}
    states = [
        (s, labels[s.channel], _STATE_WORDS.get(s.state) or s.state)
        for s in subscription_states(contact_id)
    ]
    this = labels.get(_subscription_of_message(message_id), "")
    context = {"states": states, "saved": saved, "token": token}
    context["these"] = this[:1].lower() + this[1:]
    return render(request, "channels/unsubscribe/preferences.html", context)


@csrf_exempt  # Mail providers POST here without a CSRF token (RFC 8058); the token signs it.
@require_http_methods(["GET", "POST"])
def one_click_view(request: HttpRequest, token: str) -> HttpResponse:
    """The List-Unsubscribe URL: a POST unsubscribes at once; a GET (a client opening the
    link in a browser) shows the preferences page and changes nothing."""
    if request.method == "GET":
        return preferences_view(request, token)
    parsed = read_token(token)
    if parsed is None:
        return HttpResponseBadRequest("Invalid link.")
    _unsubscribe_from_channel(parsed[0], parsed[1], "one-click unsubscribe")
    with translation.override(contact_language(parsed[0])):
        return HttpResponse(gettext("You are unsubscribed."), content_type="text/plain")


def test_view(request: HttpRequest) -> HttpResponse:
    with translation.override(translation.get_language_from_request(request)):
        return render(request, "channels/unsubscribe/test.html")
