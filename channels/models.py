"""TEMP stand-in for the channels app's Message (replace on merge with the real one)."""

from __future__ import annotations

from django.db import models


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        SUPPRESSED = "suppressed"

    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=500, blank=True)
    content = models.JSONField(default=dict)
    context = models.JSONField(default=dict, blank=True)
    subject = models.CharField(max_length=998, blank=True)
    body = models.TextField(blank=True)
    step_visit_id = models.BigIntegerField(null=True, blank=True)
    variant_id = models.BigIntegerField(null=True, blank=True)
    journey_id = models.BigIntegerField(null=True, blank=True)
    scheduled_for = models.DateTimeField()
    deferred_reason = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["step_visit_id"],
                condition=models.Q(step_visit_id__isnull=False),
                name="message_once_per_step_visit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} to contact {self.contact_id} ({self.status})"
