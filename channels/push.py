"""Push notifications: browsers (Web Push with VAPID) and Android/iOS apps (Firebase Cloud
Messaging), declared here and nowhere else.

A contact's "address" is their set of devices (channels/push_devices.py): apps register
theirs through the Segment/RudderStack `context.device.token` of any identify or track,
browsers theirs through the widget (journeys/api/push_subscriptions.py). One message is
one delivery per device and counts once in reports. A device the provider says is gone
is forgotten and fails only its own delivery; 429 and 5xx retry the devices still owed.
See docs/channels.md, "Push notifications".
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils.translation import gettext_noop

from channels import push_fcm, push_send, push_webpush
from channels.base import (
    FIELD_LABELS,
    Channel,
    OutboundMessage,
    PermanentSendError,
    Recipient,
    SendResult,
    TransientSendError,
)
from channels.in_app import is_link, is_template
from channels.push_devices import (
    PushDevice,
    device_register,
    device_remove,
    devices_count,
    devices_erase,
    devices_export,
)
from channels.rendering import (
    MessageContent,
    RenderedMessage,
    RenderError,
    TemplateProblem,
    render_field,
)

# Roughly how much of a title and text each place shows before cutting it off with "…"
# (lock screens and notification centres vary by device and font; see docs/channels.md).
SHOWN = {
    "subject": {"an iPhone lock screen": 50, "Android": 65, "a desktop browser": 60},
    "body": {"an iPhone lock screen": 178, "Android": 240, "a desktop browser": 120},
}
# Push services refuse more than 4096 bytes; aes128gcm encryption takes 103 of them.
PAYLOAD_LIMIT = 4096 - 103
UNINSTALLED = "Application Uninstalled"
TRACKING_SALT = "stepwise.push.tracking"  # Segment's spec event for an app removed
MOBILE_KINDS = {"android": PushDevice.Kind.ANDROID, "ios": PushDevice.Kind.IOS}
_BAD_LINK = "The link must start with https://, http:// or / (a page of your product)."
_BAD_IMAGE = (
    "The image must be the address of a picture on the web, starting with https:// "
    "(phones show no picture from elsewhere)."
)
_NO_BROWSER = (
    "this browser did not give an address for notifications. Allow notifications for "
    "this site in the browser, then send the test again."
)


def is_image_link(url: str) -> bool:
    """A picture a phone or browser will load: an absolute https address."""
    return url.startswith("https://") and is_link(url)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _device_of(context: Any) -> tuple[str, str]:
    """(token, kind) from a Segment/RudderStack event context; ("", "") when none."""
    if not isinstance(context, Mapping):
        return "", ""
    device = _mapping(context.get("device"))
    os = _mapping(context.get("os"))
    token = device.get("token")
    if not isinstance(token, str) or not token.strip() or len(token) > 2000:
        return "", ""
    named = str(device.get("type") or os.get("name") or "").strip().lower()
    named = "ios" if named in {"ios", "ipados", "iphone os"} else named
    return token.strip(), MOBILE_KINDS.get(named, "")


class PushChannel(Channel):
    key, label, noun = "push", "Push", "a push notification"
    long_label = "Push notification"
    required, optional = ("subject", "body"), ("url", "image")
    templates = ("subject", "body", "url", "image")
    field_labels = {
        **FIELD_LABELS,
        "subject": "Title",
        "body": "Text",
        "url": "Link opened on tap",
        "image": "Image (optional: the address of a picture, https://…)",
    }
    # Hard caps; the whole notification must also fit the 4 KB push payload.
    field_limits = {"subject": 100, "body": 500}
    subscription, preference = "push", gettext_noop("Push notifications")  # the pages translate it
    sends_at_once = push_send.REQUESTS_AT_ONCE
    address_words, no_address = "device", "no device for push notifications"
    preview_template = "channels/push/preview.html"
    test_send = "browser"  # "Send me a test" goes to the staff member's own browser

    # --- content --------------------------------------------------------------------

    def content_problems(self, content: MessageContent) -> list[TemplateProblem]:
        problems = []
        url, image = content.url.strip(), content.image.strip()
        if url and not is_template(url) and not is_link(url):
            problems.append(TemplateProblem("url", None, _BAD_LINK))
        if image and not is_template(image) and not is_image_link(image):
            problems.append(TemplateProblem("image", None, _BAD_IMAGE))
        return problems

    def content_warnings(self, fields: Mapping[str, str]) -> list[str]:
        warnings = []
        for name, places in SHOWN.items():
            length = len(fields.get(name, "").strip())
            cut = [place for place, limit in places.items() if length > limit]
            if cut:
                warnings.append(
                    f"The {self.field_label(name).lower()} is {length} characters: "
                    f"{' and '.join(cut)} will cut it short."
                )
        size = len(json.dumps(_payload_of(fields), ensure_ascii=False).encode())
        if size > PAYLOAD_LIMIT:
            warnings.append(
                f"The notification is {size / 1024:.1f} KB: push services refuse more "
                "than 4 KB, so shorten the text or the link."
            )
        return warnings

    def reach_warning(self, contact_ids: Sequence[int], event: str) -> str:
        if not contact_ids:
            return ""
        reachable = devices_count(contact_ids)
        missing = sum(1 for contact_id in contact_ids if not reachable.get(contact_id))
        if not missing:
            return ""
        return (
            f"{missing} of the {len(contact_ids)} people who did “{event}” lately have no "
            "phone or browser that takes push notifications: they will not get this one."
        )

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        title = render_field("subject", content.subject, context, html=False).strip()
        text = render_field("body", content.body, context, html=False).strip()
        url = render_field("url", content.url, context, html=False).strip()
        if url and not is_link(url):
            raise RenderError(TemplateProblem("url", None, _BAD_LINK))
        image = render_field("image", content.image, context, html=False).strip()
        if image and not is_image_link(image):
            raise RenderError(TemplateProblem("image", None, _BAD_IMAGE))
        return RenderedMessage(channel=self.key, subject=title, text=text, url=url, image=image)

    # --- addresses ------------------------------------------------------------------

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        count = len(push_send.recent.of(recipient.contact_id))
        if not count:
            return ""
        return "1 device" if count == 1 else f"{count} devices"

    def browser_test_key(self) -> str:
        return str(settings.VAPID_PUBLIC_KEY or "")

    def test_address(self, given: str, content: MessageContent) -> str:
        """A staff member's browser subscription (PushSubscription.toJSON()), checked as
        the widget's are, kept as the test message's address."""
        try:
            endpoint, p256dh, auth = push_webpush.subscription_check(json.loads(given))
        except ValueError:
            raise ValueError(_NO_BROWSER) from None
        return json.dumps({"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}})

    def learn(self, events: Sequence[Any]) -> None:
        """App installs register through their SDK's context.device.token."""
        for event in events:
            token, kind = _device_of(event.context)
            if not token:
                continue
            if event.name == UNINSTALLED:
                device_remove(token=token, contact_id=event.contact_id)
            elif kind:
                device_register(
                    contact_id=event.contact_id, kind=kind, token=token, now=event.received_at
                )

    # --- delivery -------------------------------------------------------------------

    def is_available(self) -> bool:
        return push_webpush.is_configured() or push_fcm.is_configured()

    def read_ahead(self, contact_ids: Sequence[int]) -> AbstractContextManager[None]:
        return push_send.recent.batch(contact_ids)

    def send(self, message: OutboundMessage) -> SendResult:
        result = self.send_each([message])[0]
        if isinstance(result, Exception):
            raise result
        return result

    def send_each(self, messages: Sequence[OutboundMessage]) -> list[SendResult | Exception]:
        """One delivery per device still owed each message, the requests all at once."""
        people = [m for m in messages if not _is_test(m)]
        sent = iter(push_send.send_each(people, [_payload(m) for m in people]))
        return [_send_test(m) if _is_test(m) else next(sent) for m in messages]

    # --- privacy --------------------------------------------------------------------

    def privacy_export(self, contact_id: int) -> dict[str, list[dict[str, Any]]]:
        return {"push_devices": devices_export(contact_id)}

    def privacy_erase(self, contact_id: int) -> int:
        return devices_erase(contact_id)


def _payload(message: OutboundMessage) -> dict[str, Any]:
    rendered = message.rendered
    picture = {"image": rendered.image} if rendered.image else {}
    return {
        "title": rendered.subject,
        "body": rendered.text,
        "url": rendered.url,
        **picture,
        "message": message.message_id,
        "track": tracking_url(message.message_id),
    }


def tracking_url(message_id: int) -> str:
    """Where the service worker reports "shown" and "clicked" (…/shown, …/clicked): the
    signed message id is the only credential, as in an email's tracked link."""
    token = signing.dumps(message_id, salt=TRACKING_SALT, compress=True)
    return f"{settings.PUBLIC_URL.rstrip('/')}/v1/push-notifications/{token}"


def tracked_message(token: str) -> int | None:
    """The message a tracking token names, or None when it is not ours."""
    try:
        return int(signing.loads(token, salt=TRACKING_SALT))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def _payload_of(fields: Mapping[str, str]) -> dict[str, Any]:
    """The payload a variant's text makes, as written (for the size check)."""
    return {
        "title": fields.get("subject", ""),
        "body": fields.get("body", ""),
        "url": fields.get("url", ""),
        "image": fields.get("image", ""),
        "message": 10**12,
        "track": tracking_url(10**12),
    }


def _is_test(message: OutboundMessage) -> bool:
    """A test's address is a staff member's browser subscription (JSON), not devices."""
    return message.to_address.startswith("{")


def _send_test(message: OutboundMessage) -> SendResult | Exception:
    """A staff member's test, to the browser subscription its address holds."""
    browser = json.loads(message.to_address)
    keys = browser["keys"]
    outcome = push_send.web(browser["endpoint"], keys["p256dh"], keys["auth"], _payload(message))
    if outcome.result == "ok":
        return SendResult(provider_id="this browser")
    if outcome.result == "retry":
        return TransientSendError(outcome.words, retry_after=outcome.retry_after)
    return PermanentSendError(f"The browser did not take the test: {outcome.words}")
