"""Push notifications beside emails, in the same run, through the worker path.

Queues N emails (real Postmark backend against a fake Postmark) and N push notifications
(half to browsers through pywebpush with VAPID and aes128gcm, half to Android apps through
FCM HTTP v1 with a google-auth token) to fake services on 127.0.0.1, then sends each set
with the task the django-q worker runs (channels.tasks.deliver_messages) in the sweeper's
batches. Prints messages/s and the p95 latency from queueing to the request reaching the
fake service. The fake services serve from a process of their own (forked once they are
set up), as real push services and Postmark are elsewhere: the fake push service checks
every VAPID signature and decrypts every body, as a browser would, and in the sender's
process that work took the sender's interpreter lock, so push was measured slower than
it sends. Usage:

    .venv/bin/python bench/push.py [--messages 10000] [--provider-ms 0]

--provider-ms makes every fake answer after that long, as providers across a network do
(tens of milliseconds), the same for email and push.

Uses a throwaway SQLite database unless DATABASE_URL is set (it migrates that database).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import multiprocessing
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.channels.push_fixtures import browser_register  # noqa: E402
from tests.fakes.http import FakePostmark, Recorded, Scripted  # noqa: E402
from tests.fakes.push import (  # noqa: E402
    FakeFcm,
    FakeWebPush,
    service_account,
    vapid_key_pair,
)


class Clocked:
    """Notes when each request arrived (time.monotonic()), and answers after `latency`
    seconds: the round trip to a provider elsewhere, the same for every fake."""

    arrivals: list[float]
    latency = 0.0

    def _answer(self, request: Recorded) -> Scripted:
        self.arrivals.append(time.monotonic())
        answer = super()._answer(request)  # type: ignore[misc]
        return dataclasses.replace(answer, delay=answer.delay + self.latency)


class ClockedPostmark(Clocked, FakePostmark):
    pass


class ClockedWebPush(Clocked, FakeWebPush):
    pass


class ClockedFcm(Clocked, FakeFcm):
    def _answer(self, request: Recorded) -> Scripted:
        if request.path == "/token":
            return FakeFcm._answer(self, request)
        return super()._answer(request)


class Services:
    """The fakes, serving in a forked process; asked over a pipe for what they saw."""

    def __init__(self, *servers: Clocked) -> None:
        self.servers = servers
        self.pipe, child = multiprocessing.Pipe()
        self.process = multiprocessing.get_context("fork").Process(
            target=self._serve, args=(child,), daemon=True
        )
        self.process.start()
        for server in servers:  # the child accepts; this process never will
            server.httpd.socket.close()  # type: ignore[attr-defined]

    def _serve(self, pipe) -> None:  # noqa: ANN001 - a multiprocessing connection
        for server in self.servers:
            server.start()  # type: ignore[attr-defined]
        while True:
            asked = pipe.recv()
            if asked == "clear":
                for server in self.servers:
                    server.arrivals.clear()
                pipe.send(None)
            elif asked == "seen":
                refused = [len(getattr(s, "refusals", [])) for s in self.servers]
                pipe.send(([list(s.arrivals) for s in self.servers], refused))
            else:
                return

    def clear(self) -> None:
        self.pipe.send("clear")
        self.pipe.recv()

    def seen(self) -> tuple[list[list[float]], list[int]]:
        """Each server's arrival times (time.monotonic(), shared by all processes) and
        its number of refused requests."""
        self.pipe.send("seen")
        return self.pipe.recv()

    def stop(self) -> None:
        self.pipe.send("stop")
        self.process.join(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=10000)
    parser.add_argument(
        "--provider-ms",
        type=float,
        default=0.0,
        help="every fake provider answers after this long (a provider elsewhere)",
    )
    parser.add_argument("--only", choices=["email", "push"], help="send one channel (profiling)")
    args = parser.parse_args()
    postmark, webpush, fcm = (
        ClockedPostmark(record=False),
        ClockedWebPush(record=False),
        ClockedFcm(record=False),
    )
    for server in (postmark, webpush, fcm):
        server.arrivals = []
        server.latency = args.provider_ms / 1000
    tmp = tempfile.mkdtemp(prefix="stepwise-bench-")
    public, private = vapid_key_pair()
    webpush.vapid_public_key, webpush.subject = public, "mailto:bench@example.com"
    fcm.account = service_account(token_uri=f"{fcm.url}/token")
    credentials = Path(tmp) / "firebase.json"
    credentials.write_text(json.dumps(fcm.account))
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "SECRET_KEY": "bench-only",
            "STEPWISE_VAR_DIR": tmp,
            "EMAIL_ESP": "postmark",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "bench-token",
            "ANYMAIL_POSTMARK_API_URL": postmark.url + "/",
            "CHANNELS_FREQUENCY_CAP": "0",
            "CHANNELS_EMAIL_QUIET_HOURS": "",
            "LOG_LEVEL": "WARNING",
            "VAPID_PUBLIC_KEY": public,
            "VAPID_PRIVATE_KEY": private,
            "VAPID_SUBJECT": webpush.subject,
            "FCM_CREDENTIALS": str(credentials),
            "FCM_API_URL": fcm.url,
            "PUSH_SERVICE_HOSTS": "127.0.0.1",
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    browsers = [webpush.browser() for _ in range(0, args.messages, 2)]
    services = Services(postmark, webpush, fcm)
    try:
        run(args.messages, browsers, services, args.only)
    finally:
        services.stop()


def run(count: int, browsers: list, services: Services, only: str | None = None) -> None:
    import django  # noqa: PLC0415 - settings must be chosen first

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import close_old_connections, transaction  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from channels.delivery.queue import MessageContent, message_queue  # noqa: PLC0415
    from channels.delivery.sending import SEND_BATCH  # noqa: PLC0415
    from channels.models import Message  # noqa: PLC0415
    from channels.push_devices import PushDevice, device_register  # noqa: PLC0415
    from channels.registry import get_channel  # noqa: PLC0415
    from channels.tasks import deliver_messages  # noqa: PLC0415
    from journeys.models import Contact  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    now = timezone.now()
    run_id = int(now.timestamp())
    contacts = Contact.objects.bulk_create(
        Contact(
            user_id=f"bench-{run_id}-{i}",
            email=f"person{i}@example.com",
            first_name=f"Person{i}",
            first_seen_at=now,
            last_seen_at=now,
        )
        for i in range(count)
    )
    for i, contact in enumerate(contacts):
        if i % 2:
            device_register(
                contact_id=contact.pk,
                kind=PushDevice.Kind.ANDROID,
                token=f"t-{run_id}-{i}",
                now=now,
            )
        else:
            browser_register(contact.pk, browsers[i // 2])
    content = {
        "email": MessageContent(subject="Your note is shared", body="Hi {{ contact.first_name }}"),
        "push": MessageContent(
            subject="{{ contact.first_name }}, your note is shared",
            body="Invite a teammate to see it.",
            url="https://notes.example.com/invite",
        ),
    }
    database = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    refused = 0
    for channel, servers in (("email", [0]), ("push", [1, 2])):
        if only and channel != only:
            continue
        assert get_channel(channel) is not None
        services.clear()
        with transaction.atomic():
            ids = [
                message_queue(
                    contact_id=c.pk, channel=channel, content=content[channel], context={}, now=now
                ).message_id
                for c in contacts
            ]
        queued_at = time.monotonic()
        started = time.perf_counter()
        for start in range(0, len(ids), SEND_BATCH):
            deliver_messages(ids[start : start + SEND_BATCH], now=now)
            close_old_connections()
        elapsed = time.perf_counter() - started
        sent = Message.objects.filter(pk__in=ids, status="sent").count()
        arrivals, refusals = services.seen()
        refused = refusals[1]
        waits = sorted(t - queued_at for s in servers for t in arrivals[s])
        p95 = statistics.quantiles(waits, n=20)[-1] if len(waits) > 1 else 0.0
        print(
            f"{channel}: {sent}/{count} sent in {elapsed:.2f}s = {sent / elapsed:.0f}/s in one "
            f"worker process; p95 queued-to-request {p95:.2f}s ({database}, "
            f"load average {os.getloadavg()[0]:.1f})"
        )
    print(f"(the fake browser push service refused {refused} requests)")


if __name__ == "__main__":
    main()
