"""The builder's edit history of a draft: what undo and redo walk, and what a stale save
shows of the other person's change."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class DraftChange(models.Model):
    """One saved change to a journey's draft, with the document before and after it.

    Undo marks the newest change `undone` and puts `before` back; redo does the reverse.
    A new change drops the undone ones (the redo branch), as every editor does.
    """

    journey = models.ForeignKey(
        "journeys.Journey", on_delete=models.CASCADE, related_name="draft_changes"
    )
    revision = models.PositiveIntegerField(help_text="The draft revision this change made.")
    summary = models.CharField(max_length=500)
    step_key = models.CharField(
        max_length=100, blank=True, help_text="The step it changed, when it changed one."
    )
    before = models.JSONField()
    after = models.JSONField()
    undone = models.BooleanField(default=False)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    by_label = models.CharField(max_length=200, blank=True)
    at = models.DateTimeField()
    audit_entry = models.ForeignKey(
        "journeys.AuditEntry", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["journey", "-id"]
        indexes = [models.Index(fields=["journey", "undone", "id"], name="draft_change_stack")]

    def __str__(self) -> str:
        return self.summary
