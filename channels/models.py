"""Data only: messages, their status history and subscription history. Writes go through
channels.delivery.messages and channels.delivery.subscriptions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

from channels.conf import parse_quiet_hours
from channels.registry import channel_choices


class Message(models.Model):
    """One message to one contact on one channel, from queueing to its last provider event."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        SENT = "sent"
        DELIVERED = "delivered"
        OPENED = "opened"
        CLICKED = "clicked"
        SUPPRESSED = "suppressed"
        CANCELLED = "cancelled"  # its journey no longer wanted it (channels.wanted)
        FAILED = "failed"
        BOUNCED = "bounced"
        COMPLAINED = "complained"
        UNSUBSCRIBED = "unsubscribed"

    class Deferral(models.TextChoices):
        NONE = "", "Not deferred"
        QUIET_HOURS = "quiet_hours"
        FREQUENCY_CAP = "frequency_cap"

    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20, choices=channel_choices)
    to_address = models.CharField(max_length=2000, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(
        max_length=500, blank=True, help_text="Why it was suppressed, cancelled, failed or bounced."
    )
    # What the journey step asked for (Liquid source) and the context it was queued with;
    # rendering happens in the worker, into the rendered_* fields.
    content = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    context = models.JSONField(default=dict, blank=True, encoder=DjangoJSONEncoder)
    subject = models.CharField(max_length=998, blank=True)
    preheader = models.CharField(max_length=500, blank=True)
    body = models.TextField(blank=True, help_text="Plain text, SMS text or webhook JSON.")
    html = models.TextField(blank=True)
    url = models.CharField(
        max_length=2000, blank=True, help_text="In-app: the call-to-action link, rendered."
    )
    step_visit_id = models.BigIntegerField(null=True, blank=True)
    variant_id = models.BigIntegerField(null=True, blank=True)
    journey_id = models.BigIntegerField(null=True, blank=True)
    # Which language version went out ("fr"; "" the default) and why, in words.
    language = models.CharField(max_length=35, blank=True)
    language_reason = models.CharField(max_length=200, blank=True)
    is_test = models.BooleanField(default=False)
    scheduled_for = models.DateTimeField()
    deferred_reason = models.CharField(max_length=20, choices=Deferral.choices, blank=True)
    claimed_until = models.DateTimeField(
        null=True, blank=True, help_text="A worker is sending it until then."
    )
    claim_token = models.UUIDField(null=True, blank=True, editable=False)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    provider_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    clicked_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["step_visit_id"],
                condition=models.Q(step_visit_id__isnull=False),
                name="message_once_per_step_visit",
            )
        ]
        indexes = [
            models.Index(
                fields=["scheduled_for"],
                name="message_due",
                condition=models.Q(status="queued"),
            ),
            # The minute sweep takes each channel's oldest due messages, so one channel's
            # backlog never hides another's.
            models.Index(
                fields=["channel", "scheduled_for"],
                name="message_due_channel",
                condition=models.Q(status="queued"),
            ),
            models.Index(fields=["contact", "channel", "scheduled_for"], name="message_contact"),
            models.Index(fields=["provider_id"], name="message_provider_id"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} to contact {self.contact_id} ({self.status})"


class MessageStatusChange(models.Model):
    """Every status a message was reported in, including late ones that did not apply."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    applied = models.BooleanField(
        default=True, help_text="False when a late event would have moved the status backwards."
    )
    detail = models.CharField(max_length=500, blank=True)
    occurred_at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["recorded_at", "id"]
        indexes = [models.Index(fields=["message", "recorded_at"], name="status_change_message")]

    def __str__(self) -> str:
        return f"{self.from_status or '∅'} → {self.to_status}"


class SubscriptionChange(models.Model):
    """History of journeys.Subscription: who moved which channel to which state, and why."""

    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    from_state = models.CharField(max_length=20)
    to_state = models.CharField(max_length=20)
    reason = models.CharField(max_length=255, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["changed_at", "id"]
        indexes = [
            models.Index(fields=["contact", "changed_at"], name="subscription_change_contact")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.channel} {self.from_state} → {self.to_state}"


class ChatState(models.Model):
    """One contact's in-app conversation: its sequence counter, read mark and open question.

    `last_seq` is bumped under the row lock by every new ChatEntry, so per contact the
    sequence numbers are handed out in commit order and a stream cursor never skips one."""

    contact = models.OneToOneField(
        "journeys.Contact", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    last_seq = models.PositiveBigIntegerField(default=0)
    read_seq = models.PositiveBigIntegerField(
        default=0, help_text="Everything the bot said up to here has been read."
    )
    open_seq = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The question waiting for an answer, if any."
    )
    updated_at = models.DateTimeField(db_index=True)
    # The staff inbox: a conversation is in it once a reply was passed to the team.
    inbox_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="Last time a person had something here."
    )
    staff_read_seq = models.PositiveBigIntegerField(
        default=0, help_text="The team has read the conversation up to here."
    )
    staff_notified = models.BooleanField(
        default=False, help_text="The team was told of it and has not opened it since."
    )

    def __str__(self) -> str:
        return f"chat of contact {self.contact_id} at {self.last_seq}"


class ChatWatch(models.Model):
    """Someone has this contact's chat open right now: its streams keep `until` a little
    ahead. The event worker takes such contacts' events before the rest of its queue, so
    the bot answers at once even behind a burst of other events (docs/engine.md)."""

    contact = models.OneToOneField(
        "journeys.Contact", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    until = models.DateTimeField()

    class Meta:
        # One row per contact who ever opened the chat; the worker asks for the open ones
        # before every batch.
        indexes = [models.Index(fields=["until"], name="chat_watch_until")]

    def __str__(self) -> str:
        return f"chat of contact {self.contact_id} open until {self.until:%H:%M:%S}"


class ChatEntry(models.Model):
    """One line of the in-app chat, from the bot or from the contact, in order (`seq`)."""

    class Author(models.TextChoices):
        BOT = "bot"
        USER = "user"
        STAFF = "staff", "A person of the team"

    class Kind(models.TextChoices):
        MESSAGE = "message", "Journey message"
        QUESTION = "question"
        REPLY = "reply", "Contact's reply"
        REASK = "reask", "Asked again"
        KEYWORD = "keyword", "Keyword reply"
        FALLBACK = "fallback", "Did not understand"
        FOR_TEAM = "for_team", "Passed to the team"
        HANDOFF = "handoff", "Told a person will answer"
        ANSWER = "answer", "Answer from the team"

    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="+")
    seq = models.PositiveBigIntegerField()
    author = models.CharField(max_length=5, choices=Author.choices)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    text = models.TextField(blank=True)
    subject = models.CharField(max_length=998, blank=True)
    url = models.CharField(max_length=2000, blank=True, help_text="The call-to-action link.")
    cta = models.CharField(max_length=80, blank=True, help_text="The call-to-action's label.")
    # [{"label": "Designer", "value": "design"}, ...] for a question with quick replies.
    replies = models.JSONField(default=list, blank=True)
    # {"type": "email", "max_length": 80} for a question answered by typing.
    answer = models.JSONField(default=dict, blank=True)
    bot_name = models.CharField(max_length=80, blank=True)
    bot_avatar = models.CharField(max_length=2000, blank=True)
    sender_name = models.CharField(
        max_length=80, blank=True, help_text="The first name of the team member who wrote it."
    )
    # The widget's key for a reply typed by the contact: a reply sent twice is kept once.
    client_key = models.CharField(max_length=64, blank=True)
    via = models.CharField(
        max_length=20,
        blank=True,
        help_text="The channel a line went by outside the chat (a text message, for one).",
    )
    message = models.OneToOneField(
        Message, null=True, blank=True, on_delete=models.SET_NULL, related_name="chat_entry"
    )
    step_key = models.CharField(max_length=100, blank=True)
    journey_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["contact", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["contact", "seq"], name="chat_entry_seq_once"),
            models.UniqueConstraint(
                fields=["contact", "client_key"],
                condition=~models.Q(client_key=""),
                name="chat_entry_reply_once",
            ),
        ]
        verbose_name_plural = "chat entries"

    def __str__(self) -> str:
        return f"{self.author} #{self.seq} to contact {self.contact_id}"


class ProviderEvent(models.Model):
    """A provider webhook event already applied: ESPs and Twilio resend events, and a
    resent bounce or STOP must not be applied (or counted) twice."""

    provider = models.CharField(max_length=40)
    event_key = models.CharField(max_length=64, help_text="SHA-256 of the event's identity.")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_key"], name="provider_event_once")
        ]
        indexes = [models.Index(fields=["received_at"], name="provider_event_time")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.event_key[:12]}"


class SuppressedAddress(models.Model):
    """An address that must not be sent to again, whoever it belongs to: an ESP's hard
    bounce or spam complaint names the address, not only the contact (several contacts can
    share it, and the ESP may report it for a message Stepwise never knew)."""

    class Reason(models.TextChoices):
        BOUNCED = "bounced", "hard bounce"
        COMPLAINED = "complained", "spam complaint"

    channel = models.CharField(max_length=20, choices=channel_choices)
    address = models.CharField(max_length=320, help_text="Normalised: lower-case email.")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    detail = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name = "suppressed address"
        verbose_name_plural = "suppressed addresses"
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="suppressed_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.address} ({self.get_reason_display()})"


class DeliverySettings(models.Model):
    """Staff-editable delivery rules (one row, edited in the admin). A blank field means
    "the deployment's default" (the CHANNELS_* / email / Twilio environment variables)."""

    email_quiet_hours = models.CharField(
        max_length=11, blank=True, help_text='Contact\'s local time, e.g. "21:00-08:00".'
    )
    sms_quiet_hours = models.CharField(
        max_length=11, blank=True, help_text='Contact\'s local time, e.g. "21:00-08:00".'
    )
    quiet_hours_off = models.BooleanField(
        default=False, help_text="No quiet hours at all, whatever the defaults say."
    )
    frequency_cap = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="At most this many emails and texts per person in any 24 hours (0 = no cap).",
    )
    email_from = models.CharField(
        max_length=320, blank=True, help_text='Sender, e.g. "Acme <hello@acme.example>".'
    )
    email_reply_to = models.EmailField(blank=True)
    sms_from = models.CharField(
        max_length=32, blank=True, help_text="Twilio number texts come from, e.g. +15550001111."
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "delivery settings"
        verbose_name_plural = "delivery settings"

    def __str__(self) -> str:
        return "Delivery settings"

    def clean(self) -> None:
        problems = {}
        for name in ("email_quiet_hours", "sms_quiet_hours"):
            value = getattr(self, name).strip()
            if value:
                try:
                    parse_quiet_hours(value)
                except ValueError as exc:
                    problems[name] = str(exc)
        if problems:
            raise ValidationError(problems)


class TeamAlert(models.Model):
    """A note to the team (a journey's notify step, a reply the bot could not answer),
    waiting for its digest: one message per target and journey every few minutes at most
    (channels.delivery.team)."""

    target = models.CharField(max_length=2000)
    topic = models.CharField(max_length=200, blank=True, help_text="The journey's name.")
    text = models.TextField()
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["target", "topic", "sent_at"], name="team_alert_pair")]

    def __str__(self) -> str:
        return f"{self.topic or 'Stepwise'} → {self.target}"


# Push notifications keep their devices in their own module; imported here so Django
# registers the models with the channels app.
from channels.push_devices import PushDelivery, PushDevice  # noqa: E402, F401
