"""Twilio webhooks: status callbacks and inbound STOP/START. Signature first, then a service.

Other inbound texts may answer the bot, which sits above channels: the entry point
journeys/api/text_replies.py reads them with `inbound_read` and answers with `twiml`."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from channels import conf
from channels.delivery.subscriptions import subscription_set
from channels.webhooks.events import event_key, parse_message_id, provider_event_apply
from journeys.models import Contact

logger = logging.getLogger(__name__)
STATUS_FOR_TWILIO = {
    "sent": "sent",
    "delivered": "delivered",
    "undelivered": "failed",
    "failed": "failed",
    "read": "opened",
}
OPT_OUT_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"}
OPT_IN_WORDS = {"START", "UNSTOP"}
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def _signature_valid(request: HttpRequest) -> bool:
    """Twilio's signature with our auth token; with no token configured, nothing is valid
    (RequestValidator("") would accept what anyone signs with the empty key)."""
    token = conf.twilio().auth_token
    if not token:
        logger.warning("webhook.refused.no_secret", extra={"path": request.path})
        return False
    # Twilio signs the URL it called; behind a proxy that is PUBLIC_URL, not the Host header.
    url = conf.public_url() + request.get_full_path()
    validator = RequestValidator(token)
    return validator.validate(url, request.POST, request.headers.get("X-Twilio-Signature", ""))


@csrf_exempt
@require_POST
def status_callback(request: HttpRequest) -> HttpResponse:
    if not _signature_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    status = STATUS_FOR_TWILIO.get(request.POST.get("MessageStatus", ""))
    raw_id = request.GET.get("message", "")
    if status is not None:
        error = request.POST.get("ErrorCode", "")[:20]
        sid = request.POST.get("MessageSid", "")[:255]
        provider_event_apply(
            provider="twilio",
            key=event_key(sid, request.POST["MessageStatus"], error, raw_id),
            channel="sms",
            status=status,
            message_id=parse_message_id(raw_id),
            provider_id=sid,
            detail=f"Twilio {request.POST['MessageStatus']}" + (f" error {error}" if error else ""),
        )
    return HttpResponse(status=204)


@dataclass(frozen=True)
class InboundText:
    """A text a contact sent to our number that is not STOP or START."""

    channel: str
    address: str
    text: str


def inbound_read(request: HttpRequest) -> InboundText | HttpResponse:
    """Checks the signature and applies STOP/START (the answer to send is returned);
    any other text comes back for the bot (STOP and START always win)."""
    if not _signature_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    words = request.POST.get("Body", "").strip().upper().split()
    keyword = words[0] if words else ""
    state = "unsubscribed" if keyword in OPT_OUT_WORDS else ""
    state = "subscribed" if keyword in OPT_IN_WORDS else state
    if not state:
        return InboundText(
            channel="sms", address=request.POST.get("From", ""), text=request.POST.get("Body", "")
        )
    contact_ids = Contact.objects.filter(phone=request.POST.get("From", "")).values_list(
        "pk", flat=True
    )
    for contact_id in contact_ids:
        subscription_set(
            contact_id=contact_id,
            channel="sms",
            state=state,
            reason=f"replied {keyword} by SMS",
        )
    return twiml("")


def twiml(answer: str) -> HttpResponse:
    """Twilio's reply to an inbound text: the answer to send back, or nothing."""
    if not answer:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    text = EMPTY_TWIML.replace("</Response>", f"<Message>{escape(answer)}</Message></Response>")
    return HttpResponse(text, content_type="text/xml")
