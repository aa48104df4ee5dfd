"""Journeys and their published, immutable versions, materialised into Step and
MessageVariant rows so that reports and the builder can point at them."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class Journey(models.Model):
    """A journey: a draft spec being edited, and the versions published from it."""

    class Status(models.TextChoices):
        DRAFT = "draft"
        LIVE = "live"
        PAUSED = "paused"
        ARCHIVED = "archived"

    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    draft_spec = models.JSONField(
        default=dict, blank=True, help_text='The "stepwise.journey/1" document being edited.'
    )
    current_version = models.ForeignKey(
        "journeys.JourneyVersion",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The newest published version: new entrants take it.",
    )
    draft_revision = models.PositiveIntegerField(
        default=0,
        help_text="Bumped on every change to the draft: a save made on an older one is refused.",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who changed the journey last.",
    )

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["status"], name="journey_status")]
        permissions = [
            ("publish_journey", "Can publish, pause, resume and archive journeys"),
            ("view_reports", "Can view journey reports"),
        ]

    def __str__(self) -> str:
        return self.name


class JourneyVersion(models.Model):
    """One published version of a journey. Never changes once written."""

    journey = models.ForeignKey(Journey, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    spec = models.JSONField(help_text='The "stepwise.journey/1" document as published.')
    published_at = models.DateTimeField()
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["journey", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["journey", "number"], name="journey_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.journey_id} v{self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ValueError("A published journey version is immutable; publish a new one.")
        super().save(*args, **kwargs)


class Step(models.Model):
    """A step of one version; `key` is the spec's step id."""

    version = models.ForeignKey(JourneyVersion, on_delete=models.CASCADE, related_name="steps")
    key = models.CharField(max_length=100)
    type = models.CharField(max_length=30)
    position = models.PositiveIntegerField(help_text="Order in the spec's step list.")
    channel = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["version", "position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="step_key_once")]

    def __str__(self) -> str:
        return self.key


class MessageVariant(models.Model):
    """One A/B variant of a message step."""

    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="variants")
    name = models.CharField(max_length=100)
    weight = models.PositiveIntegerField(default=1)
    content = models.JSONField(default=dict, help_text="subject, preheader, body, url")

    class Meta:
        ordering = ["step", "id"]
        constraints = [models.UniqueConstraint(fields=["step", "name"], name="variant_name_once")]

    def __str__(self) -> str:
        return f"{self.step.key}/{self.name}"
