"""What one contact's data stopped the worker on: retried with backoff, then parked."""

from __future__ import annotations

from django.db import models


class ContactProblem(models.Model):
    """One event (or one timer) the worker could not get past for one contact.

    While `parked_at` is unset the work is retried (the event's or enrollment's
    `retry_at`); once parked, the journey is stopped for that contact and everyone else's
    work goes on. Staff read `reason` on the contact page and in the journey's problems."""

    contact = models.ForeignKey(
        "journeys.Contact", on_delete=models.CASCADE, related_name="problems"
    )
    journey = models.ForeignKey(
        "journeys.Journey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        "journeys.Enrollment", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    event = models.ForeignKey(
        "journeys.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event_name = models.CharField(max_length=200, blank=True)
    step_key = models.CharField(max_length=100, blank=True, help_text="Where it failed.")
    reason = models.TextField(help_text="In plain words, for staff.")
    attempts = models.PositiveSmallIntegerField(default=1)
    retry_at = models.DateTimeField(null=True, blank=True)
    parked_at = models.DateTimeField(null=True, blank=True)
    first_at = models.DateTimeField()
    last_at = models.DateTimeField()

    class Meta:
        verbose_name = "contact problem"
        indexes = [models.Index(fields=["journey", "last_at"], name="problem_journey_time")]

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.reason[:60]}"
