"""Data only: messages, their status history and subscription history. Writes go through
channels.messages and channels.subscriptions."""

from __future__ import annotations

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models

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
        max_length=500, blank=True, help_text="Why it was suppressed, failed or bounced."
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
