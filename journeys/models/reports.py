"""What reports read besides visits: which arm or variant each enrollment was given, the
conversion that watches the goal whatever the enrollment's state, and the rollup counters
kept in the same transaction as the rows they count (see docs/reports.md)."""

from __future__ import annotations

from django.db import models


class Assignment(models.Model):
    """The split path or message variant an enrollment was given at a step (once per step)."""

    enrollment = models.ForeignKey(
        "journeys.Enrollment", on_delete=models.CASCADE, related_name="assignments"
    )
    step = models.ForeignKey("journeys.Step", on_delete=models.PROTECT, related_name="+")
    arm = models.CharField(max_length=100, help_text='"path 2" of a split, or a variant name.')
    holdout = models.BooleanField(default=False, help_text="A split path that sends nothing.")
    assigned_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrollment", "step"], name="assignment_once")
        ]
        indexes = [models.Index(fields=["step", "arm"], name="assignment_step_arm")]

    def __str__(self) -> str:
        return f"{self.arm} at {self.step_id} for {self.enrollment_id}"


class Conversion(models.Model):
    """An enrollment met its journey's goal (event, conditions, window), whether it was
    still in the journey, a holdout, or had left already."""

    enrollment = models.OneToOneField(
        "journeys.Enrollment", on_delete=models.CASCADE, related_name="conversion"
    )
    journey = models.ForeignKey("journeys.Journey", on_delete=models.CASCADE, related_name="+")
    version = models.ForeignKey(
        "journeys.JourneyVersion", on_delete=models.PROTECT, related_name="+"
    )
    event = models.ForeignKey(
        "journeys.Event", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    converted_at = models.DateTimeField(help_text="When the goal event happened.")
    seconds = models.BigIntegerField(help_text="From entering the journey to the goal.")

    class Meta:
        indexes = [models.Index(fields=["journey", "converted_at"], name="conversion_journey")]

    def __str__(self) -> str:
        return f"conversion of {self.enrollment_id}"


class ReportCount(models.Model):
    """One counter of a journey's report: a metric per version, entry day, step and arm.

    `step_id` 0 is the journey as a whole, `arm` "" no arm. Metrics are listed in
    journeys/core/report_counters.py; rows only ever grow or shrink by deltas."""

    journey_id = models.BigIntegerField()
    version_id = models.BigIntegerField()
    entry_day = models.DateField()
    step_id = models.BigIntegerField(default=0)
    arm = models.CharField(max_length=100, default="", blank=True)
    metric = models.CharField(max_length=30)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["journey_id", "version_id", "entry_day", "step_id", "arm", "metric"],
                name="report_count_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.metric}={self.n}"


class BreakdownSnapshot(models.Model):
    """A journey's figures split by a trait or trigger property, as the worker last worked
    them out: what the breakdown page and its downloads read (docs/reports.md).

    `scope` is the report's filter in words ("version=3 since=2026-11-01 until="); a
    request stamps `requested_at` and queues the work once; `computed_at` is null until
    the first result."""

    journey = models.ForeignKey("journeys.Journey", on_delete=models.CASCADE, related_name="+")
    by = models.CharField(max_length=110, help_text='"trait:plan" or "event:device".')
    scope = models.CharField(max_length=80, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(default=0, help_text="How long the last computation took.")
    rows = models.JSONField(
        default=list,
        blank=True,
        help_text="Per value (top ones, then Other and Not set): label, entered, count, "
        "and how many reached each step.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["journey", "by", "scope"], name="breakdown_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.by} of {self.journey_id} ({self.scope})"
