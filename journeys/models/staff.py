"""What Stepwise remembers for a staff member: where their test sends go."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class StaffTestAddress(models.Model):
    """The address a staff member last sent a test to, per channel: the builder's test-send
    box starts with it next time."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=20)
    address = models.CharField(max_length=2000)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "staff test address"
        constraints = [
            models.UniqueConstraint(fields=["user", "channel"], name="test_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel}: {self.address}"
