"""What one contact's data stopped the worker on: retried with backoff, then parked."""

from __future__ import annotations

from django.db import models


class ContactProblem(models.Model):
    """What Stepwise could not do for one contact: work it could not get past, or a message
    it could not write for them.

    Work (`kind` "work"): while `parked_at` is unset the work is retried (the event's or
    enrollment's `retry_at`); once parked, the journey is stopped for that contact and
    everyone else's work goes on. A message (`kind` "not_sent") whose template needs a value
    this person lacks is not sent; the journey goes on, and the row is final (parked at
    once). Staff read `reason` on the contact page, in the journey's problems and as a
    count on the step's card."""

    class Kind(models.TextChoices):
        WORK = "work", "the worker stopped"
        NOT_SENT = "not_sent", "a message was not sent"

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
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WORK)
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
