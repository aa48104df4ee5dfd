from __future__ import annotations

from django.db import models


class EventType(models.Model):
    """The catalogue: every event name a source has sent, with the properties it carried."""

    source = models.ForeignKey("journeys.Source", on_delete=models.CASCADE, related_name="+")
    type = models.CharField(max_length=10, default="track")
    name = models.CharField(max_length=200)
    normalized_name = models.CharField(
        max_length=200, db_index=True, help_text="Lower case, letters and digits only."
    )
    count = models.BigIntegerField(default=0)
    unmatched_count = models.BigIntegerField(
        default=0, help_text="Events whose sender was not a known (identified) contact."
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    properties = models.JSONField(
        default=dict,
        blank=True,
        help_text='property key → observed types, e.g. {"plan": ["string"]}',
    )
    similar_to = models.JSONField(
        default=list, blank=True, help_text="Other names that look like the same event."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "type", "name"], name="event_type_once")
        ]
        ordering = ["name"]
        verbose_name = "catalogued event"
        verbose_name_plural = "event catalogue"

    def __str__(self) -> str:
        return self.name
