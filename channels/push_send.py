"""Handing push notifications to the push services: several messages' devices at once.

A push is one HTTPS request per device, and most of its time is spent waiting for the
push service (which checks a signature and stores the encrypted body). So the worker
hands push several messages together (PushChannel.sends_at_once) and their requests go
out concurrently from a small pool of threads, kept for the life of the process so each
thread keeps its connections to the push services. Only the requests run in the pool:
every database read and write stays in the worker's own thread and transaction.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.utils import timezone

from channels import push_fcm, push_webpush
from channels.base import OutboundMessage, PermanentSendError, SendResult, TransientSendError
from channels.push_devices import (
    PushDevice,
    delivered_devices,
    deliveries_record,
    device_remove,
    devices_of,
)
from channels.push_webpush import Outcome

REQUESTS_AT_ONCE = 8


class _ReadAhead(threading.local):
    """A batch's devices, read in one query before its messages are prepared.

    Inside `batch` each contact's read serves its message's address and then its send
    (`take` hands it out once); outside one, or for a contact it did not read, both read
    the database. Nothing is kept past the batch, so a device added since is never
    missed by a later send."""

    def __init__(self) -> None:
        self.reads: dict[int, list[PushDevice]] = {}

    @contextmanager
    def batch(self, contact_ids: Sequence[int]) -> Iterator[None]:
        self.reads = devices_of(contact_ids)
        try:
            yield
        finally:
            self.reads = {}

    def of(self, contact_id: int) -> list[PushDevice]:
        """The contact's devices, read ahead or now."""
        found = self.reads.get(contact_id)
        return found if found is not None else devices_of([contact_id])[contact_id]

    def take(self, contact_ids: Sequence[int]) -> dict[int, list[PushDevice]]:
        found = {c: self.reads.pop(c) for c in contact_ids if c in self.reads}
        missing = [c for c in contact_ids if c not in found]
        return found | (devices_of(missing) if missing else {})


recent = _ReadAhead()
_pool: tuple[int, ThreadPoolExecutor] | None = None
_pool_lock = threading.Lock()


def _requests() -> ThreadPoolExecutor:
    """This process's pool (a worker forked from a parent that had one makes its own)."""
    global _pool
    with _pool_lock:
        if _pool is None or _pool[0] != os.getpid():
            pool = ThreadPoolExecutor(REQUESTS_AT_ONCE, thread_name_prefix="push-request")
            _pool = (os.getpid(), pool)
        return _pool[1]


def send_each(
    messages: Sequence[OutboundMessage], payloads: Sequence[dict[str, Any]]
) -> list[SendResult | Exception]:
    """Deliver each message to every device still owed it, all requests at once; each
    message's result, or the send error that ends it."""
    devices = recent.take([m.contact_id for m in messages])
    done = delivered_devices([m.message_id for m in messages])
    owed = [[d for d in devices[m.contact_id] if d.pk not in done[m.message_id]] for m in messages]
    jobs = [(d, payload) for these, payload in zip(owed, payloads, strict=True) for d in these]
    outcomes = iter(list(_requests().map(_attempt, jobs)))
    answered = [[(d, next(outcomes)) for d in these] for these in owed]
    took = [
        (message.message_id, device.pk)
        for message, answers in zip(messages, answered, strict=True)
        for device, outcome in answers
        if isinstance(outcome, Outcome) and outcome.result == "ok"
    ]
    deliveries_record(delivered=took, now=timezone.now())
    for answers in answered:
        for device, outcome in answers:
            if isinstance(outcome, Outcome) and outcome.result == "gone":
                device_remove(token=device.token)
    return [
        _result(len(done[message.message_id]), answers)
        for message, answers in zip(messages, answered, strict=True)
    ]


def _attempt(job: tuple[PushDevice, dict[str, Any]]) -> Outcome | Exception:
    """One request, in the pool: what the push service said, or what went wrong."""
    try:
        return deliver(*job)
    except Exception as exc:  # noqa: BLE001 - settled with its message, not the batch
        return exc


def _result(
    done: int, answered: list[tuple[PushDevice, Outcome | Exception]]
) -> SendResult | Exception:
    """What one message's devices said, as its send's result (`done` devices had taken
    it on an earlier try)."""
    if not done and not answered:
        return PermanentSendError("The contact has no device for push notifications.")
    crashed = [o for _, o in answered if isinstance(o, Exception)]
    if crashed:
        return crashed[0]
    outcomes = [o for _, o in answered if isinstance(o, Outcome)]
    delivered = done + sum(1 for o in outcomes if o.result == "ok")
    retry = [o for o in outcomes if o.result == "retry"]
    if retry:
        waits = [o.retry_after for o in retry if o.retry_after is not None]
        return TransientSendError(
            f"{len(retry)} device(s) to try again: {retry[0].words}",
            retry_after=max(waits) if waits else None,
        )
    if not delivered:
        words = "; ".join(o.words for o in outcomes)
        return PermanentSendError(f"No device took the notification: {words}")
    return SendResult(provider_id=f"{delivered} device(s)")


def web(endpoint: str, p256dh: str, auth: str, payload: dict[str, Any]) -> Outcome:
    if not push_webpush.is_configured():
        return Outcome("failed", "Web Push is not configured (VAPID keys)")
    return push_webpush.web_push_send(
        endpoint=endpoint,
        p256dh=p256dh,
        auth=auth,
        payload=payload,
        timeout=float(settings.CHANNELS_HTTP_TIMEOUT_SECONDS),
    )


def deliver(device: PushDevice, payload: dict[str, Any]) -> Outcome:
    if device.kind == PushDevice.Kind.WEB:
        return web(device.token, device.p256dh, device.auth, payload)
    if not push_fcm.is_configured():
        return Outcome("failed", "Firebase Cloud Messaging is not configured")
    timeout = float(settings.CHANNELS_HTTP_TIMEOUT_SECONDS)
    return push_fcm.fcm_send(token=device.token, payload=payload, timeout=timeout)
