"""What every channel is: one class per channel module, registered in channels.registry.

A channel says, in one place: the content fields a message on it needs and may have,
which of them are Liquid templates, the address it needs from a contact, the subscription
that lets a contact opt out of it, how it renders, and how it delivers. Nothing else in
the code keeps a list of channels. See docs/architecture.md.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import Any, ClassVar

from channels.rendering import MessageContent, RenderedMessage, TemplateProblem, render_field

# How staff see each content field in the builder; a channel may word one its own way.
FIELD_LABELS: Mapping[str, str] = {
    "subject": "Subject",
    "preheader": "Preheader (the grey line after the subject)",
    "body": "Text",
    "url": "Link",
    "cta": "Button label",
    "image": "Image",
}


def template_problem_words(problem: TemplateProblem) -> str:
    """A template problem as staff read it, wherever they read it: "Subject, line 1: …"."""
    where = FIELD_LABELS.get(problem.field, problem.field.capitalize())
    line = f", line {problem.line}" if problem.line else ""
    return f"{where}{line}: {problem.message}"


@dataclass(frozen=True)
class Recipient:
    """What a channel may use to reach a contact: plain values, never the model."""

    contact_id: int
    user_id: str = ""
    email: str = ""
    phone: str = ""
    traits: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    message_id: int
    contact_id: int
    to_address: str
    rendered: RenderedMessage
    unsubscribe_url: str = ""
    one_click_url: str = ""


@dataclass(frozen=True)
class SendResult:
    provider_id: str
    status: str = "sent"  # in-app messages are "delivered" as soon as they are stored


class SendError(Exception):
    """A send that did not go through; `message` is the provider's words."""


class TransientSendError(SendError):
    """Timeouts, connection errors, 5xx and 429: worth retrying later (not before
    `retry_after` seconds when the provider said so in a Retry-After header)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentSendError(SendError):
    """4xx, invalid address, recipient opted out at the provider: retrying cannot help."""

    def __init__(self, message: str, *, opted_out: bool = False) -> None:
        super().__init__(message)
        self.opted_out = opted_out


class Channel:
    """One channel. Subclasses set the class attributes and implement `send`.

    Names: `label` (“SMS”: history, contact page, admin), `long_label` (“Text message
    (SMS)”: the builder's and reports' pickers), `noun` (“a text message”: sentences).
    Content: `required`, `optional` and `templates` name MessageContent fields; `needs`
    drops a field whose partner is empty (an in-app button label without its link);
    `field_labels` words them for staff, `field_limits` caps their length in the builder.
    Opt-out: `subscription` is the key of the Subscription a contact opts out of this
    channel with (None: no opt-out, e.g. a webhook to a team's own system); `preference`
    names it on the preferences page ("" keeps it off the page); `stop_replies`: contacts
    also opt out by replying STOP (counted in reports).
    Addresses: `contact_field` is the contact's field the address is read from ("" when it
    is not one field), `address_words` how staff call it (“phone number”), `no_address`
    why a message was not sent, `address_example` a sample for the test-send box;
    `address_often_missing`: the builder warns when nothing checks a contact has one.
    Staff pages: `preview_template` renders a `rendered` message in the builder,
    `message_template` on the message's admin page, `has_html` an HTML version worth a
    preview on the contact page, `segments` its texts counted in SMS segments;
    `test_send` is "" (no test send), "typed" (to the address the staff member types;
    the builder starts the box with their last one, or their own email for a channel whose
    `contact_field` is the email) or "browser" (to the staff member's own browser: the
    builder asks it for permission and sends its Web Push subscription, made with
    `browser_test_key()`, as the address).
    Replies: `replies` is "chat" (lines of the in-app chat), "text" (a text answered in the
    provider's response) or "" (none). `inbox`: read back through the inbox API.
    Delivery: `local` says delivering one is only a write to Stepwise's own database (no
    provider): such a message is delivered in the very transaction that queues it
    (`send_many`), so it never waits in a queue behind anything (docs/engine.md, "The
    chat's fast path"). `sends_at_once`: how many of a batch's messages the worker claims
    and hands to `send_each` together; a channel whose sends mostly wait on the network
    (push: one request per device) makes them concurrently.
    """

    key: ClassVar[str]
    label: ClassVar[str]
    long_label: ClassVar[str] = ""
    noun: ClassVar[str]
    required: ClassVar[tuple[str, ...]] = ("body",)
    optional: ClassVar[tuple[str, ...]] = ()
    templates: ClassVar[tuple[str, ...]] = ("body",)
    needs: ClassVar[Mapping[str, str]] = {}
    field_labels: ClassVar[Mapping[str, str]] = FIELD_LABELS
    field_limits: ClassVar[Mapping[str, int]] = {}
    subscription: ClassVar[str | None]
    preference: ClassVar[str] = ""
    stop_replies: ClassVar[bool] = False
    contact_field: ClassVar[str] = ""
    address_words: ClassVar[str] = "address"
    address_example: ClassVar[str] = ""
    address_often_missing: ClassVar[bool] = False
    no_address: ClassVar[str] = "no address"
    preview_template: ClassVar[str] = "channels/preview.html"
    message_template: ClassVar[str] = "channels/message.html"
    has_html: ClassVar[bool] = False
    segments: ClassVar[bool] = False
    test_send: ClassVar[str] = ""
    replies: ClassVar[str] = ""
    inbox: ClassVar[bool] = False
    local: ClassVar[bool] = False
    sends_at_once: ClassVar[int] = 1

    @property
    def fields(self) -> tuple[str, ...]:
        """The content fields a message on this channel may have, in the format's order."""
        allowed = set(self.required + self.optional)
        return tuple(name for name in MessageContent.__dataclass_fields__ if name in allowed)

    @property
    def picker_label(self) -> str:
        return self.long_label or self.label

    def field_label(self, name: str) -> str:
        return self.field_labels.get(name) or FIELD_LABELS.get(name) or name.capitalize()

    def normalised(self, address: str) -> str:
        """The address as it is compared and hashed (an email address in lower case)."""
        return address.strip()

    def content_warnings(self, fields: Mapping[str, str]) -> list[str]:
        """Builder warnings about one variant's fields that do not stop a publish (text a
        phone will cut), in plain words."""
        return []

    def reach_warning(self, contact_ids: Sequence[int], event: str) -> str:
        """A builder warning from real data: how many of the people who did `event`
        lately (`contact_ids`) this channel cannot reach ("" when none is worth saying)."""
        return ""

    def publish_problems(self, content: MessageContent) -> list[TemplateProblem]:
        """Problems worth a network look-up, checked at import and publish only."""
        return []

    def first_message_note(self, *, custom: str, language: str) -> str:
        """What the first message of this channel to a person must add (how to stop, say);
        `custom` is the source's own words. "" for most channels."""
        return ""

    def with_note(self, rendered: RenderedMessage, note: str) -> RenderedMessage:
        """The rendered message with `note` added at its end."""
        return dataclasses.replace(rendered, text=f"{rendered.text}\n\n{note}")

    # --- content --------------------------------------------------------------------

    def field_problems(self, fields: Mapping[str, Any]) -> list[tuple[str, str]]:
        """(field, message) for content the journey format refuses outright."""
        return []

    def content_problems(self, content: MessageContent) -> list[TemplateProblem]:
        """Problems beyond the templates themselves that stop a publish (e.g. a bad URL)."""
        return []

    def render(self, content: MessageContent, context: Mapping[str, Any]) -> RenderedMessage:
        """The content for one person (plain text body); raises RenderError."""
        text = render_field("body", content.body, context, html=False).strip()
        return RenderedMessage(channel=self.key, text=text)

    # --- addressing -----------------------------------------------------------------

    def address(self, recipient: Recipient, content: MessageContent) -> str:
        """Where the channel delivers for this contact; "" when it has nowhere to go."""
        raise NotImplementedError

    def browser_test_key(self) -> str:
        """The public key a browser subscribes with for a "browser" test send."""
        return ""

    def test_address(self, given: str, content: MessageContent) -> str:
        """The address a staff test send goes to; ValueError when it cannot be used."""
        return given

    # --- delivery -------------------------------------------------------------------

    def is_available(self) -> bool:
        """Whether the channel is configured to send (e.g. provider credentials set)."""
        return True

    def send(self, message: OutboundMessage) -> SendResult:
        """Hand one rendered message to the provider; raises Transient/PermanentSendError."""
        raise NotImplementedError

    def read_ahead(self, contact_ids: Sequence[int]) -> AbstractContextManager[None]:
        """While the batch is sent, what `address` and `send` need for these contacts,
        read at once (push: their devices, in one query) instead of once per message."""
        return nullcontext()

    def send_each(self, messages: Sequence[OutboundMessage]) -> list[SendResult | Exception]:
        """Hand several messages to the provider; each one's result or what it raised, in
        order. Up to `sends_at_once` at a time: a channel that sets it sends them together."""
        results: list[SendResult | Exception] = []
        for message in messages:
            try:
                results.append(self.send(message))
            except SendError as exc:
                results.append(exc)
        return results

    def send_many(self, messages: Sequence[OutboundMessage]) -> list[SendResult]:
        """Deliver several at once, in order (a local channel writes them in a few queries)."""
        return [self.send(message) for message in messages]

    # --- what the channel keeps about contacts ----------------------------------------

    def learn(self, events: Sequence[Any]) -> None:
        """Read a batch of a contact's new events (journeys.models.Event) before the
        journeys see them: a channel whose addresses arrive in events (device tokens)
        stores them here. Runs in the worker's batch transaction."""

    def privacy_export(self, contact_id: int) -> dict[str, list[dict[str, Any]]]:
        """What the channel keeps about a contact besides messages, by heading."""
        return {}

    def privacy_erase(self, contact_id: int) -> int:
        """Delete what privacy_export shows; return how many records went."""
        return 0
