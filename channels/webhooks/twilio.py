"""Twilio webhooks: status callbacks and inbound STOP/START. Signature first, then a service."""

from __future__ import annotations

import logging
from xml.sax.saxutils import escape

from django.http import HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from twilio.request_validator import RequestValidator

from channels import conf
from channels.delivery.subscriptions import subscription_set
from channels.inbound import reply_received
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


@csrf_exempt
@require_POST
def inbound(request: HttpRequest) -> HttpResponse:
    if not _signature_valid(request):
        return HttpResponseForbidden("Invalid Twilio signature.")
    words = request.POST.get("Body", "").strip().upper().split()
    keyword = words[0] if words else ""
    state = "unsubscribed" if keyword in OPT_OUT_WORDS else ""
    state = "subscribed" if keyword in OPT_IN_WORDS else state
    if state:
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
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    # Anything else may answer the bot's question (STOP and START above always win).
    answer = reply_received(
        channel="sms", address=request.POST.get("From", ""), text=request.POST.get("Body", "")
    )
    if not answer:
        return HttpResponse(EMPTY_TWIML, content_type="text/xml")
    twiml = EMPTY_TWIML.replace("</Response>", f"<Message>{escape(answer)}</Message></Response>")
    return HttpResponse(twiml, content_type="text/xml")
