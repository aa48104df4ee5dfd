from django.db import models


class BareEvent(models.Model):
    """Shaped like journeys.Event (columns, unique messageId per source, indexes), no FKs."""

    source_id = models.IntegerField()
    contact_id = models.BigIntegerField()
    type = models.CharField(max_length=10, default="track")
    name = models.CharField(max_length=200)
    properties = models.JSONField(default=dict)
    context = models.JSONField(default=dict)
    message_id = models.CharField(max_length=255)
    timestamp = models.DateTimeField()
    received_at = models.DateTimeField()
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "bare"
        constraints = [
            models.UniqueConstraint(fields=["source_id", "message_id"], name="bare_message_once")
        ]
        indexes = [
            models.Index(fields=["contact_id", "name", "timestamp"], name="bare_contact_name_time"),
            models.Index(fields=["name", "timestamp"], name="bare_name_time"),
            models.Index(fields=["received_at"], name="bare_received"),
            models.Index(
                fields=["id"], name="bare_pending", condition=models.Q(processed_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return self.name
