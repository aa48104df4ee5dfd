"""Emails rendered and handed to the ESP backend per second, through the worker path.

Runs the real Postmark backend (django-anymail) against a fake Postmark on 127.0.0.1 in a
separate process. Messages are queued with channels.delivery.queue.message_queue, then sent by
calling the task function the django-q worker runs (channels.tasks.deliver_messages: claim,
opt-out check, Liquid + Markdown render, send, status history) followed by the worker's
close_old_connections(), in the sweeper's batches and one message per task. Prints wall
rate and rate per CPU-second of this process (the fake server and other load share the
machine). Usage:

    .venv/bin/python bench/send.py [--messages 2000]

Uses a throwaway SQLite database unless DATABASE_URL is set (it migrates that database).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = """Hi {{ contact.first_name | default: "there" }},

Thanks for uploading **{{ event.filename }}** to {{ journey.name }}.
Your plan: {{ contact.traits.plan | default: "free" | upcase }}.

{% for step in contact.traits.next_steps %}- {{ step }}
{% endfor %}
[Open your dashboard](https://app.example.com/u/{{ contact.user_id }})
"""


def start_fake_postmark() -> tuple[subprocess.Popen[str], str]:
    code = (
        "import time\n"
        "from tests.fakes.http import FakePostmark\n"
        "server = FakePostmark(record=False).start()\n"
        "print(server.url, flush=True)\n"
        "time.sleep(3600)\n"
    )
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    return process, process.stdout.readline().strip()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()

    fake, url = start_fake_postmark()
    tmp = tempfile.mkdtemp(prefix="stepwise-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "SECRET_KEY": "bench-only",
            "STEPWISE_VAR_DIR": tmp,
            "EMAIL_ESP": "postmark",
            "ANYMAIL_POSTMARK_SERVER_TOKEN": "bench-token",
            "ANYMAIL_POSTMARK_API_URL": url + "/",
            "CHANNELS_FREQUENCY_CAP": "0",
            "LOG_LEVEL": "WARNING",
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    try:
        run(args.messages, url)
    finally:
        fake.terminate()


def run(count: int, url: str) -> None:
    import django  # noqa: PLC0415 - settings must be chosen first

    django.setup()
    from django.core.management import call_command  # noqa: PLC0415
    from django.db import (
        close_old_connections,  # noqa: PLC0415
        transaction,  # noqa: PLC0415
    )
    from django.utils import timezone  # noqa: PLC0415

    from channels.delivery.queue import MessageContent, message_queue  # noqa: PLC0415
    from channels.models import Message  # noqa: PLC0415
    from channels.tasks import SEND_BATCH, deliver_messages  # noqa: PLC0415
    from journeys.models import Contact  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    now = timezone.now()
    run_id = int(now.timestamp())
    contacts = Contact.objects.bulk_create(
        Contact(
            user_id=f"bench-{run_id}-{i}",
            email=f"person{i}@example.com",
            first_name=f"Person{i}",
            traits={"plan": "pro", "next_steps": ["Invite a teammate", "Connect Slack"]},
            first_seen_at=now,
            last_seen_at=now,
        )
        for i in range(count)
    )
    content = MessageContent(subject="{{ event.filename }} is ready", body=BODY)
    context = {
        "event": {"name": "Uploaded File", "properties": {"filename": "q3.pdf"}},
        "journey": {"name": "Welcome"},
    }
    later = now + timedelta(minutes=1)  # queued for later, so nothing sends on commit

    def queue_all() -> list[int]:
        with transaction.atomic():
            return [
                message_queue(
                    contact_id=c.pk, channel="email", content=content, context=context, now=later
                ).message_id
                for c in contacts
            ]

    database = "PostgreSQL" if "postgres" in os.environ["DATABASE_URL"] else "SQLite"
    for label, batch in ((f"sweeper batches of {SEND_BATCH}", SEND_BATCH), ("one per task", 1)):
        ids = queue_all()
        started, cpu_started = time.perf_counter(), time.process_time()
        for start in range(0, len(ids), batch):
            # What a django-q worker does per task: run the function, then tidy connections.
            deliver_messages(ids[start : start + batch], now=later)
            close_old_connections()
        elapsed = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        sent = Message.objects.filter(pk__in=ids, status="sent").count()
        print(
            f"{label}: {sent}/{count} emails rendered and handed to the Postmark backend "
            f"in {elapsed:.2f}s = {sent / elapsed:.0f} emails/s in one worker process; "
            f"{cpu:.2f}s of its CPU = {sent / cpu:.0f} emails per CPU-second "
            f"({database}, fake Postmark at {url}, load average {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
