from __future__ import annotations

from django.db import models


class Contact(models.Model):
    """One end user of a product. Anonymous visitors have no user_id until identified."""

    user_id = models.CharField(max_length=255, unique=True, null=True, blank=True)
    traits = models.JSONField(default=dict, blank=True)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +14155550100")
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    timezone = models.CharField(max_length=64, blank=True, help_text="IANA name, e.g. Europe/Paris")
    locale = models.CharField(max_length=35, blank=True)
    groups = models.JSONField(default=dict, blank=True, help_text="group id → group traits")
    source = models.ForeignKey(
        "journeys.Source", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_seen_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    erased_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Erased on request: only anonymous counts are kept (docs/security.md).",
    )

    class Meta:
        indexes = [models.Index(fields=["email"]), models.Index(fields=["last_seen_at"])]

    def __str__(self) -> str:
        if self.erased_at is not None:
            return f"erased contact #{self.pk}"
        name = " ".join(p for p in (self.first_name, self.last_name) if p)
        label = self.user_id or f"anonymous #{self.pk}"
        return f"{name} ({label})" if name else label


class ContactAlias(models.Model):
    """An anonymousId seen for a contact; after a merge it points at the known contact."""

    anonymous_id = models.CharField(max_length=255, unique=True)
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="aliases")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "anonymous id"

    def __str__(self) -> str:
        return self.anonymous_id


class Subscription(models.Model):
    """A contact's state on one channel. No row means subscribed."""

    class State(models.TextChoices):
        SUBSCRIBED = "subscribed"
        UNSUBSCRIBED = "unsubscribed"
        BOUNCED = "bounced"
        COMPLAINED = "complained"

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="subscriptions")
    channel = models.CharField(max_length=20)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SUBSCRIBED)
    reason = models.CharField(max_length=255, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["contact", "channel"], name="subscription_once")
        ]

    def __str__(self) -> str:
        return f"{self.contact_id}:{self.channel}={self.state}"


class ErasedAddress(models.Model):
    """An opt-out that outlives an erased contact: only a hash of the address is kept, so
    a person who asked to be forgotten and had opted out stays opted out if they return."""

    channel = models.CharField(max_length=20)
    address_hash = models.CharField(max_length=64, help_text="SHA-256 of the normalised address.")
    state = models.CharField(max_length=20, choices=Subscription.State.choices)
    erased_at = models.DateTimeField()

    class Meta:
        verbose_name = "opt-out of an erased contact"
        constraints = [
            models.UniqueConstraint(fields=["channel", "address_hash"], name="erased_address_once")
        ]

    def __str__(self) -> str:
        return f"{self.channel}:{self.address_hash[:12]}…={self.state}"
