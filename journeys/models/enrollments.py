"""Enrollments (one contact's trip through one journey version), the step visits that
reports read, and the decision trace that explains every choice the engine made."""

from __future__ import annotations

from django.db import models


class Enrollment(models.Model):
    """One contact's trip through one version of a journey."""

    class State(models.TextChoices):
        ACTIVE = "active"
        WAITING = "waiting"
        CONVERTED = "converted"
        COMPLETED = "completed"
        EXITED = "exited"
        FAILED = "failed"

    OPEN_STATES = (State.ACTIVE, State.WAITING)

    contact = models.ForeignKey(
        "journeys.Contact", on_delete=models.CASCADE, related_name="enrollments"
    )
    journey = models.ForeignKey(
        "journeys.Journey", on_delete=models.CASCADE, related_name="enrollments"
    )
    version = models.ForeignKey(
        "journeys.JourneyVersion", on_delete=models.PROTECT, related_name="enrollments"
    )
    entry_version_id = models.BigIntegerField(
        null=True,
        blank=True,
        help_text="The version it entered on (reports count it there even after a move).",
    )
    step_key = models.CharField(max_length=100, blank=True, help_text="The current step's id.")
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    wake_at = models.DateTimeField(null=True, blank=True)
    retry_at = models.DateTimeField(
        null=True, blank=True, help_text="Its due timer failed: tried again from then."
    )
    revision = models.PositiveIntegerField(
        default=0, help_text="Bumped on every move: a wake-up for an older revision is stale."
    )
    last_event = models.ForeignKey(
        "journeys.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    last_event_data = models.JSONField(
        default=dict, blank=True, help_text="The event that last moved it, as templates see it."
    )
    events_data = models.JSONField(
        default=dict,
        blank=True,
        help_text="Every event that moved it, the newest of each name: what messages may use.",
    )
    trigger_at = models.DateTimeField(help_text="When the triggering event happened.")
    trigger_data = models.JSONField(
        null=True,
        blank=True,
        help_text="What the trigger event said (scalar properties, trimmed): what breakdowns "
        "split by. Empty (null) for trips that entered before it was kept.",
    )
    step_entered_at = models.DateTimeField()
    current_visit_id = models.BigIntegerField(
        null=True, blank=True, help_text="The open StepVisit of the current step."
    )
    visit_count = models.PositiveIntegerField(default=0)
    furthest_position = models.IntegerField(
        default=-1,
        help_text="Distinct steps reached, minus one: how deep along the path it actually took.",
    )
    entered_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contact", "journey"],
                condition=models.Q(state__in=["active", "waiting"]),
                name="enrollment_one_open",
            )
        ]
        indexes = [
            models.Index(fields=["state", "wake_at"], name="enrollment_due"),
            models.Index(fields=["contact", "journey"], name="enrollment_contact_journey"),
            models.Index(fields=["journey", "state"], name="enrollment_journey_state"),
        ]

    def __str__(self) -> str:
        return f"{self.contact_id} in {self.journey_id} ({self.state} at {self.step_key})"

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES


class StepVisit(models.Model):
    """Every step an enrollment entered, in order: the history funnels read."""

    enrollment = models.ForeignKey(Enrollment, on_delete=models.CASCADE, related_name="visits")
    step = models.ForeignKey("journeys.Step", on_delete=models.PROTECT, related_name="visits")
    seq = models.PositiveIntegerField()
    variant = models.ForeignKey(
        "journeys.MessageVariant",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="visits",
    )
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["enrollment", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "seq"], name="step_visit_seq_once")
        ]
        indexes = [models.Index(fields=["step", "entered_at"], name="step_visit_step_time")]

    def __str__(self) -> str:
        return f"visit {self.seq} of enrollment {self.enrollment_id}"


class DecisionTrace(models.Model):
    """One explained decision: why a contact entered, was not enrolled, got or did not get
    a message, and what happens next."""

    contact = models.ForeignKey(
        "journeys.Contact", on_delete=models.CASCADE, related_name="decision_traces"
    )
    journey = models.ForeignKey(
        "journeys.Journey", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    enrollment = models.ForeignKey(
        Enrollment, null=True, blank=True, on_delete=models.CASCADE, related_name="traces"
    )
    at = models.DateTimeField()
    code = models.CharField(max_length=60)
    message = models.TextField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["contact", "at"], name="trace_contact_time"),
            models.Index(fields=["at"], name="trace_time"),
        ]

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"
