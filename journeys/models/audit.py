"""Who changed what, when: publish, pause, resume, archive and import of journeys."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """One staff action, with the diff it made (for publishes: between versions)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=200, blank=True, help_text="Who, as text.")
    action = models.CharField(max_length=40)
    journey = models.ForeignKey(
        "journeys.Journey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_entries",
    )
    summary = models.CharField(max_length=500)
    diff = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "audit entries"
        indexes = [models.Index(fields=["journey", "at"], name="audit_journey_time")]

    def __str__(self) -> str:
        return f"{self.action}: {self.summary}"
