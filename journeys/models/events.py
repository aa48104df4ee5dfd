from __future__ import annotations

from django.db import models


class Event(models.Model):
    """One thing a contact did. Rows with processed_at unset are the worker's durable queue."""

    class Type(models.TextChoices):
        TRACK = "track"
        PAGE = "page"
        SCREEN = "screen"
        IDENTIFY = "identify"
        GROUP = "group"
        ALIAS = "alias"

    source = models.ForeignKey("journeys.Source", on_delete=models.PROTECT, related_name="+")
    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="events")
    type = models.CharField(max_length=10, choices=Type.choices, default=Type.TRACK)
    name = models.CharField(max_length=200)
    properties = models.JSONField(default=dict, blank=True)
    context = models.JSONField(default=dict, blank=True)
    message_id = models.CharField(max_length=255)
    timestamp = models.DateTimeField(help_text="When it happened, by the client's clock.")
    received_at = models.DateTimeField(help_text="When Stepwise stored it.")
    processed_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Held until then: it failed for its contact, or waits behind one that did.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "message_id"], name="event_message_id_once")
        ]
        indexes = [
            models.Index(fields=["contact", "name", "timestamp"], name="event_contact_name_time"),
            models.Index(fields=["name", "timestamp"], name="event_name_time"),
            models.Index(fields=["received_at"], name="event_received"),
            models.Index(
                fields=["id"],
                name="event_pending",
                condition=models.Q(processed_at__isnull=True),
            ),
            models.Index(
                fields=["contact"],
                name="event_held",
                condition=models.Q(processed_at__isnull=True, retry_at__isnull=False),
            ),
            # The worker's fast lane: pending events of contacts whose chat is open.
            models.Index(
                fields=["contact", "id"],
                name="event_pending_contact",
                condition=models.Q(processed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} by {self.contact_id} at {self.timestamp:%Y-%m-%d %H:%M}"
