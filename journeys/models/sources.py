from __future__ import annotations

from django.db import models


class Source(models.Model):
    """A product app allowed to send events, identified by its write key.

    A source with allowed origins is a *browser* source: its write key is publishable, so
    every call naming a user must carry that user's hash (docs/security.md)."""

    name = models.CharField(max_length=200)
    key_prefix = models.CharField(
        max_length=16, help_text="The start of the write key, so staff can tell keys apart."
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    allowed_origins = models.JSONField(
        default=list,
        blank=True,
        help_text='Browser origins allowed to call the API, e.g. ["https://app.example.com"]. '
        "A source with origins is a browser source: its write key only sends events.",
    )
    identity_verification = models.BooleanField(
        "require user hashes",
        default=True,
        help_text="Inbox calls must carry the user's hash. Browser sources always require it; "
        "turn it off only for a server source whose key never leaves your servers.",
    )
    timezone = models.CharField(
        "default time zone",
        max_length=64,
        blank=True,
        help_text="For contacts whose own time zone is unknown: quiet hours and send times "
        "follow it (e.g. America/New_York). Empty: the site's time zone.",
    )
    handoff_text = models.TextField(
        "when the bot passes a message to the team",
        blank=True,
        help_text="What the bot answers when it cannot handle a message and passes it to "
        "the inbox. Empty: “I'm just a bot — I've passed this to the {team} team; they "
        "usually answer within a day.” (the team: the source's name)",
    )
    sms_stop_text = models.CharField(
        "how to stop texts",
        max_length=80,
        blank=True,
        help_text="Added to the first text message each contact gets. Empty: “Reply STOP to stop.”",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_browser(self) -> bool:
        return bool(self.allowed_origins)


class IdentitySecret(models.Model):
    """The key a product signs its user ids with (user_hash). Kept readable: staff copy it.

    Two may be active during a rotation; the newest is the one to use."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="identity_secrets")
    secret = models.CharField(max_length=128)
    created_at = models.DateTimeField()
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["source", "retired_at"], name="identity_secret_active")]

    def __str__(self) -> str:
        return f"{self.source_id}:{self.secret[:6]}…"
