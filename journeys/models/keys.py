from __future__ import annotations

from django.db import models


class SecretKey(models.Model):
    """A server-side key that reads, exports and erases contacts. Stored hashed, shown once."""

    name = models.CharField(max_length=200, help_text="Who uses it, e.g. “CRM sync”.")
    key_prefix = models.CharField(max_length=16, help_text="The start of the key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField()
    created_by = models.CharField(max_length=200, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "secret server key"

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"
