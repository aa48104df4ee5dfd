"""Push notifications' storage: the devices and browsers a contact can be reached on, and
which of them already took each message (so a retry never notifies a device twice).

A device is an app install (an FCM registration token, Android or iOS) or a browser's
Web Push subscription (its endpoint and keys). Writes go through the functions below;
the push channel (channels/push.py) is the only reader."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import models, transaction


class PushDevice(models.Model):
    """One place a contact receives push notifications."""

    class Kind(models.TextChoices):
        WEB = "web", "Browser"
        ANDROID = "android", "Android app"
        IOS = "ios", "iPhone or iPad app"

    contact = models.ForeignKey("journeys.Contact", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    # The FCM registration token, or the browser subscription's endpoint URL.
    token = models.CharField(max_length=2000, unique=True)
    p256dh = models.CharField(max_length=200, blank=True, help_text="Web Push only.")
    auth = models.CharField(max_length=100, blank=True, help_text="Web Push only.")
    created_at = models.DateTimeField()
    seen_at = models.DateTimeField(help_text="When an app or browser last confirmed it.")

    class Meta:
        indexes = [models.Index(fields=["contact", "kind"], name="push_device_contact")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of contact {self.contact_id}"


class PushDelivery(models.Model):
    """A device took a message: a retry of the same message skips it."""

    message = models.ForeignKey("channels.Message", on_delete=models.CASCADE, related_name="+")
    device_id = models.BigIntegerField()
    delivered_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "device_id"], name="push_delivery_once")
        ]

    def __str__(self) -> str:
        return f"message {self.message_id} to device {self.device_id}"


@transaction.atomic
def device_register(
    *,
    contact_id: int,
    kind: str,
    token: str,
    now: datetime,
    p256dh: str = "",
    auth: str = "",
) -> PushDevice:
    """Add a device for the contact, or refresh it; a token seen on another contact moves
    (the app was signed into by someone else)."""
    device, _ = PushDevice.objects.select_for_update().update_or_create(
        token=token,
        defaults={
            "contact_id": contact_id,
            "kind": kind,
            "p256dh": p256dh,
            "auth": auth,
            "seen_at": now,
        },
        create_defaults={
            "contact_id": contact_id,
            "kind": kind,
            "p256dh": p256dh,
            "auth": auth,
            "seen_at": now,
            "created_at": now,
        },
    )
    return device


def device_remove(*, token: str, contact_id: int | None = None) -> int:
    """Forget a device (uninstalled, unsubscribed, or gone at the provider)."""
    found = PushDevice.objects.filter(token=token)
    if contact_id is not None:
        found = found.filter(contact_id=contact_id)
    return found.delete()[1].get(PushDevice._meta.label, 0)


def devices_of(contact_ids: Iterable[int]) -> dict[int, list[PushDevice]]:
    """Each of these contacts' devices, oldest first (one query)."""
    found: dict[int, list[PushDevice]] = {c: [] for c in contact_ids}
    for device in PushDevice.objects.filter(contact_id__in=list(found)).order_by("id"):
        found[device.contact_id].append(device)
    return found


def devices_count(contact_ids: Iterable[int]) -> dict[int, int]:
    """How many devices each of these contacts has (missing: none)."""
    rows = (
        PushDevice.objects.filter(contact_id__in=list(contact_ids))
        .values("contact_id")
        .annotate(n=models.Count("id"))
    )
    return {row["contact_id"]: row["n"] for row in rows}


def delivered_devices(message_ids: Iterable[int]) -> dict[int, set[int]]:
    """The devices that took each of these messages already (an earlier try)."""
    found: dict[int, set[int]] = {m: set() for m in message_ids}
    rows = PushDelivery.objects.filter(message_id__in=list(found))
    for message_id, device_id in rows.values_list("message_id", "device_id"):
        found[message_id].add(device_id)
    return found


def deliveries_record(*, delivered: Iterable[tuple[int, int]], now: datetime) -> None:
    """These (message, device) pairs were taken: one statement, whatever their number (a
    pair recorded already stays as it was)."""
    PushDelivery.objects.bulk_create(
        [PushDelivery(message_id=m, device_id=d, delivered_at=now) for m, d in delivered],
        ignore_conflicts=True,
    )


def devices_export(contact_id: int) -> list[dict[str, Any]]:
    """The contact's devices as the person would read them (no keys)."""
    return [
        {
            "kind": device.get_kind_display(),
            "address": device.token,
            "added_at": device.created_at,
            "last_confirmed_at": device.seen_at,
        }
        for device in devices_of([contact_id])[contact_id]
    ]


def devices_erase(contact_id: int) -> int:
    return (
        PushDevice.objects.filter(contact_id=contact_id).delete()[1].get(PushDevice._meta.label, 0)
    )
