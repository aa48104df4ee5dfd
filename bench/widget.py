"""Widget streams benchmark: many open SSE streams on one ASGI process.

    .venv/bin/python bench/widget.py [--streams 1000] [--messages 400] [--rate 40]

Everything runs on 127.0.0.1 and stops by itself:
1. creates the PostgreSQL database BENCH_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/stepwise_widget_bench; `--sqlite` for a SQLite file
   instead), migrates it, makes a browser source and one contact per stream;
2. starts ONE uvicorn process (`onboarding.asgi`, one worker) and one django-q2 worker
   cluster, as production runs them;
3. opens `--streams` SSE streams at once (one per contact, each with its user hash) and
   measures the uvicorn process's memory before and after: memory per open stream;
4. queues `--messages` in-app messages (channels.delivery.queue.message_queue, at `--rate` per
   second, to random contacts); the worker delivers them; prints p50/p95/max from queued to
   received by the client (target p95 <= 1 s), and checks every one arrived exactly once;
5. reconnect storm: drops every stream, queues one message per contact while they are
   gone, reconnects all of them at once with Last-Event-ID, and prints the time until
   every client has its missed message (and that none was lost or doubled);
6. stops everything and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stepwise_widget_bench"
FORBIDDEN = {"test", "postgres", "template0", "template1"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def _prepare_database(url: str) -> None:
    import psycopg  # noqa: PLC0415 - only for PostgreSQL runs

    name = urlsplit(url).path.lstrip("/")
    if name in FORBIDDEN:
        raise SystemExit(f"refusing to use database {name!r}")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _drop_database(url: str) -> None:
    import psycopg  # noqa: PLC0415

    name = urlsplit(url).path.lstrip("/")
    admin = url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    import django  # noqa: PLC0415 - configured by the environment above

    django.setup()


def _setup(streams: int) -> tuple[str, dict[str, tuple[int, str]]]:
    """Migrate; a browser source; one contact per stream. Returns the key and
    user id → (contact id, user hash)."""
    from django.core.management import call_command  # noqa: PLC0415
    from django.utils import timezone  # noqa: PLC0415

    from journeys.models import Contact  # noqa: PLC0415
    from journeys.people.identity import user_hash  # noqa: PLC0415
    from journeys.people.sources import identity_secret_active, source_create  # noqa: PLC0415

    call_command("migrate", verbosity=0, interactive=False)
    source, key = source_create(name="bench", allowed_origins=["http://bench.example"])
    secret = identity_secret_active(source=source).secret
    now = timezone.now()
    Contact.objects.bulk_create(
        Contact(user_id=f"u{n}", source=source, first_seen_at=now, last_seen_at=now)
        for n in range(streams)
    )
    ids = dict(Contact.objects.filter(source=source).values_list("user_id", "pk"))
    return key, {uid: (pk, user_hash(secret, uid)) for uid, pk in ids.items()}


class Client:
    """One widget's stream: reads SSE lines, remembers its cursor, notes arrival times."""

    def __init__(self, port: int, key: str, user_id: str, user_hash: str, seen: dict) -> None:
        self.port, self.key, self.user_id, self.hash = port, key, user_id, user_hash
        self.cursor = 0
        self.seen = seen  # message text -> [arrival times]
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        path = f"/v1/contacts/{self.user_id}/stream?key={self.key}&user_hash={self.hash}"
        resume = f"Last-Event-ID: {self.cursor}\r\n" if self.cursor else ""
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            f"Origin: http://bench.example\r\n{resume}\r\n".encode()
        )
        await writer.drain()
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                raise RuntimeError(head[:200])
            self.ready.set()
            event_id, data = None, ""
            while line := await reader.readline():
                text = line.decode().rstrip("\r\n")
                if text.startswith("id: "):
                    event_id = text[4:]
                elif text.startswith("data: ") and event_id is not None:
                    data = text[6:]
                elif text == "" and data:
                    self.cursor = int(event_id or 0)
                    self.seen.setdefault(json.loads(data)["text"], []).append(time.monotonic())
                    event_id, data = None, ""
                elif text.isalnum() and len(text) < 8:
                    continue  # chunk sizes (chunked transfer encoding)
        finally:
            writer.close()

    def start(self) -> None:
        self.ready.clear()
        self.task = asyncio.ensure_future(self.run())

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            await asyncio.gather(self.task, return_exceptions=True)


DIRECT = False


def _queue(contact_id: int, text: str) -> None:
    from channels.chat.lines import ChatLine, chat_post  # noqa: PLC0415
    from channels.delivery.queue import message_queue  # noqa: PLC0415
    from channels.rendering import MessageContent  # noqa: PLC0415

    if DIRECT:  # what the worker's in-app delivery writes, without the worker
        chat_post(contact_id=contact_id, line=ChatLine(author="bot", kind="message", text=text))
        return

    message_queue(
        contact_id=contact_id, channel="in_app", content=MessageContent(body=text), context={}
    )


async def _measure(args, port: int, key: str, people: dict, server_pid: int) -> dict:  # noqa: ANN001
    seen: dict[str, list[float]] = {}
    clients = [Client(port, key, uid, h, seen) for uid, (_, h) in people.items()]
    idle_kb = _rss_kb(server_pid)
    started = time.monotonic()
    for client in clients:
        client.start()
    await asyncio.wait_for(asyncio.gather(*(c.ready.wait() for c in clients)), 120)
    opened = time.monotonic() - started
    await asyncio.sleep(2)
    open_kb = _rss_kb(server_pid)
    per_stream_kb = (open_kb - idle_kb) / len(clients)
    print(
        f"{len(clients)} streams open in {opened:.1f} s; uvicorn RSS {idle_kb / 1024:.0f} MB idle, "
        f"{open_kb / 1024:.0f} MB with them open: {per_stream_kb:.1f} KB per stream",
        flush=True,
    )

    loop = asyncio.get_running_loop()
    sent: dict[str, float] = {}
    uids = list(people)
    for n in range(args.messages):
        uid = random.choice(uids)
        text = f"m{n}"
        sent[text] = time.monotonic()
        await loop.run_in_executor(None, _queue, people[uid][0], text)
        await asyncio.sleep(max(0.0, sent[text] + 1 / args.rate - time.monotonic()))
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(t not in seen for t in sent):
        await asyncio.sleep(0.1)
    latencies = sorted(seen[t][0] - sent[t] for t in sent if t in seen)
    lost = sum(1 for t in sent if t not in seen)
    doubled = sum(1 for t in sent if len(seen.get(t, [])) > 1)
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(
        f"{len(sent)} messages at {args.rate}/s, queued → received: p50 {p50 * 1000:.0f} ms, "
        f"p95 {p95 * 1000:.0f} ms (target ≤ 1000 ms: {'met' if p95 <= 1 else 'MISSED'}), max "
        f"{latencies[-1] * 1000:.0f} ms; lost {lost}, doubled {doubled}",
        flush=True,
    )

    for client in clients:
        await client.stop()
    await asyncio.sleep(1)
    missed = {f"back-{uid}": people[uid][0] for uid in uids}
    for text, contact_id in missed.items():
        await loop.run_in_executor(None, _queue, contact_id, text)
    await asyncio.sleep(2)  # the worker delivers them while nobody is connected
    storm = time.monotonic()
    for client in clients:
        client.start()
    deadline = storm + 120
    while time.monotonic() < deadline and any(t not in seen for t in missed):
        await asyncio.sleep(0.05)
    caught_up = time.monotonic() - storm
    lost_back = sum(1 for t in missed if t not in seen)
    doubled_back = sum(1 for t in [*missed, *sent] if len(seen.get(t, [])) > 1)
    print(
        f"reconnect storm: {len(clients)} clients back at once with Last-Event-ID, all caught up "
        f"in {caught_up:.2f} s; lost {lost_back}, doubled {doubled_back}",
        flush=True,
    )
    for client in clients:
        await client.stop()
    return {
        "streams": len(clients),
        "kb_per_stream": per_stream_kb,
        "p50_ms": p50 * 1000,
        "p95_ms": p95 * 1000,
        "storm_catch_up_s": caught_up,
        "lost": lost + lost_back,
        "doubled": doubled + doubled_back,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rate", type=float, default=40, help="messages per second")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument(
        "--direct",
        action="store_true",
        help="write the chat lines here instead of queueing messages for the worker "
        "(the stream's share of the latency alone)",
    )
    args = parser.parse_args()
    global DIRECT
    DIRECT = args.direct
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, 4 * args.streams + 256)), hard))

    work = Path(tempfile.mkdtemp(prefix="stepwise-widget-bench-"))
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    if args.sqlite:
        url = f"sqlite:///{work / 'bench.sqlite3'}"
    else:
        _prepare_database(url)
    env = {
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "SECRET_KEY": "bench-only",
        "STEPWISE_VAR_DIR": str(work),
        "Q_PREFIX": f"widgetbench{os.getpid()}",
        "LOG_LEVEL": "WARNING",
        "EVENT_API_RATE_LIMIT": "0",
    }
    env.pop("REDIS_URL", None)
    os.environ.pop("REDIS_URL", None)
    _django(env)
    key, people = _setup(args.streams)
    port = _free_port()
    child_env = {**os.environ, **env}
    logs = (work / "uvicorn.log").open("w"), (work / "qcluster.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "onboarding.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off", "--log-level", "warning", "--no-access-log",
         "--backlog", "4096"],
        cwd=ROOT, env=child_env, stdout=logs[0], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT, env=child_env, stdout=logs[1], stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    status = 0
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((work / "uvicorn.log").read_text()[-2000:]) from None
                time.sleep(0.2)
        print(f"uvicorn (1 process) on :{port}, database {url.split('@')[-1]}", flush=True)
        figures = asyncio.run(_measure(args, port, key, people, server.pid))
        if figures["lost"] or figures["doubled"]:
            status = 2
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
    finally:
        for process in (server, worker):
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)  # our own session, by its id
        for log in logs:
            log.close()
        from django.db import connections  # noqa: PLC0415

        connections.close_all()
        if not args.sqlite:
            _drop_database(url)
    return status


if __name__ == "__main__":
    sys.exit(main())
