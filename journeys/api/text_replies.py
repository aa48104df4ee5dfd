"""Texts contacts send to our SMS number: the provider's webhook reads them (and applies
STOP/START), the bot answers the rest. It lives among the entry points because the bot
sits above channels; the URL stays /webhooks/twilio/inbound/."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.webhooks.twilio import InboundText, inbound_read, twiml
from journeys.bot.replies import reply_from_address


@csrf_exempt
@require_POST
def twilio_inbound(request: HttpRequest) -> HttpResponse:
    received = inbound_read(request)
    if not isinstance(received, InboundText):
        return received
    return twiml(reply_from_address(received.channel, received.address, received.text))
