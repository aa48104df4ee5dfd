from __future__ import annotations

from django.db import models


class WorkerHeartbeat(models.Model):
    """The last time a worker of each django-q2 cluster ran its minute heartbeat task: a
    cluster whose beat is old has stopped taking work (the health endpoint says so)."""

    cluster = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    beat_at = models.DateTimeField()

    class Meta:
        verbose_name = "worker heartbeat"

    def __str__(self) -> str:
        return f"{self.cluster} on {self.host} at {self.beat_at:%Y-%m-%d %H:%M:%S}"
