from __future__ import annotations

from django.db import models


class Source(models.Model):
    """A product app allowed to send events, identified by its write key."""

    name = models.CharField(max_length=200)
    key_prefix = models.CharField(
        max_length=16, help_text="The start of the write key, so staff can tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='Browser origins allowed to call the API, e.g. ["https://app.example.com"].',
    )
    timezone = models.CharField(
        max_length=64, blank=True, help_text="Fallback time zone for this source's contacts."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
