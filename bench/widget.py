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
6. flood (`--flood 5000`, 0 to skip): one contact makes that many stream attempts (each
   with a fresh stream token, up to 1,000 at a time) while another contact polls; prints
   the answers the attempts got (5 held open, the rest 429) and the other contact's poll
   latency before and during the flood (target p95 < 100 ms);
7. stops everything and drops the database.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
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


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) the process has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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


def _setup(streams: int) -> tuple[str, int, dict[str, tuple[int, str]]]:
    """Migrate; a browser source; one contact per stream. Returns the key, the source's id
    and user id → (contact id, user hash)."""
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
    return key, source.pk, {uid: (pk, user_hash(secret, uid)) for uid, pk in ids.items()}


def _token(source_id: int, user_id: str) -> str:
    """A stream token, as POST …/chat/stream-token makes (same SECRET_KEY as the server)."""
    from channels.chat.tokens import stream_token_make  # noqa: PLC0415

    return stream_token_make(source_id=source_id, user_id=user_id)


class Client:
    """One widget's stream: reads SSE lines, remembers its cursor, notes arrival times."""

    def __init__(self, port: int, source_id: int, user_id: str, seen: dict) -> None:
        self.port, self.source_id, self.user_id = port, source_id, user_id
        self.cursor = 0
        self.seen = seen  # message text -> [arrival times]
        self.task: asyncio.Task | None = None
        self.ready = asyncio.Event()

    async def run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        token = _token(self.source_id, self.user_id)  # the URL carries no key or hash
        path = f"/v1/contacts/{self.user_id}/stream?token={token}"
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


async def _measure(args, port: int, source_id: int, people: dict, server_pid: int) -> dict:  # noqa: ANN001
    seen: dict[str, list[float]] = {}
    clients = [Client(port, source_id, uid, seen) for uid in people]
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


async def _attempt(port: int, path: str, held: list) -> int:
    """One stream attempt: its status (0: no answer). An admitted stream stays open in
    `held` until the flood ends."""
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), 30)
    except (OSError, TimeoutError):
        return 0
    try:
        writer.write(
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
            "Origin: http://bench.example\r\n\r\n".encode()
        )
        await writer.drain()
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 30)
        status = int(head.split(b" ", 2)[1])
    except (OSError, TimeoutError, asyncio.IncompleteReadError, ValueError):
        writer.close()
        return 0
    if status == 200:
        held.append(writer)
    else:
        writer.close()
    return status


# The other contact polls from a process of its own, so the flood's client does not slow
# the measurement: a long poll with no cursor (answered at once with the history), every
# 20 ms, until its stdin closes; it prints the latencies in seconds as JSON.
POLLER = """
import http.client, json, select, sys, time
port, path, auth, user_hash = sys.argv[1:5]
latencies = []
while not select.select([sys.stdin], [], [], 0)[0]:
    started = time.monotonic()
    conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=120)
    conn.request("GET", path, headers={"Authorization": auth, "X-Stepwise-User-Hash": user_hash})
    answer = conn.getresponse()
    answer.read()
    conn.close()
    if answer.status != 200:
        raise SystemExit(f"poll answered {answer.status}")
    latencies.append(time.monotonic() - started)
    time.sleep(0.02)
print(json.dumps(latencies))
"""


def _poller(port: int, user_id: str, key: str, user_hash: str) -> subprocess.Popen:
    basic = "Basic " + base64.b64encode(f"{key}:".encode()).decode()
    path = f"/v1/contacts/{user_id}/stream?transport=poll"
    return subprocess.Popen(
        [sys.executable, "-c", POLLER, str(port), path, basic, user_hash],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip


def _poller_stop(process: subprocess.Popen) -> list[float]:
    out, _ = process.communicate("", timeout=180)
    if process.returncode:
        raise RuntimeError(f"the poller failed ({process.returncode})")
    return json.loads(out)


FLOOD_IN_FLIGHT = int(os.environ.get("BENCH_FLOOD_IN_FLIGHT", "100"))


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.95 * (len(ordered) - 1))] * 1000


async def _flood(args, port: int, key: str, source_id: int, people: dict, server_pid: int) -> dict:  # noqa: ANN001, PLR0913
    """One contact floods the stream process while another polls (see the module's 6.)."""
    attacker, victim = list(people)[:2]
    poller = _poller(port, victim, key, people[victim][1])
    await asyncio.sleep(2)
    baseline = _poller_stop(poller)
    tokens = [_token(source_id, attacker) for _ in range(args.flood)]
    before_kb, before_cpu = _rss_kb(server_pid), _cpu_seconds(server_pid)
    held: list = []
    window = asyncio.Semaphore(FLOOD_IN_FLIGHT)

    async def one(token: str) -> int:
        async with window:
            return await _attempt(port, f"/v1/contacts/{attacker}/stream?token={token}", held)

    poller = _poller(port, victim, key, people[victim][1])
    started = time.monotonic()
    statuses = await asyncio.gather(*(one(token) for token in tokens))
    flood_seconds = time.monotonic() - started
    during, cpu = _rss_kb(server_pid), _cpu_seconds(server_pid) - before_cpu
    latencies = _poller_stop(poller)
    for writer in held:
        writer.close()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(
        f"flood: {args.flood} stream attempts from one contact in {flood_seconds:.1f} s, answers "
        f"{counts} (0: no answer), uvicorn CPU {cpu:.1f} s, RSS {before_kb / 1024:.0f} → "
        f"{during / 1024:.0f} MB; "
        f"another contact's poll p95 {_p95(baseline):.0f} ms before, {_p95(latencies):.0f} ms "
        f"during ({len(latencies)} polls, max {max(latencies) * 1000:.0f} ms; target < 100 ms: "
        f"{'met' if _p95(latencies) < 100 else 'MISSED'})",
        flush=True,
    )
    return {
        "flood_attempts": args.flood,
        "flood_answers": {str(k): v for k, v in counts.items()},
        "flood_poll_p95_ms": _p95(latencies),
        "flood_poll_p95_before_ms": _p95(baseline),
        "flood_rss_mb": during / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--messages", type=int, default=400)
    parser.add_argument("--rate", type=float, default=40, help="messages per second")
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--flood", type=int, default=5000, help="stream attempts from one contact (0: skip)"
    )
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
    wanted = 4 * max(args.streams, min(args.flood, 1000)) + 256
    resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, max(soft, wanted)), hard))

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
    key, source_id, people = _setup(args.streams)
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
        figures = asyncio.run(_measure(args, port, source_id, people, server.pid))
        if args.flood:
            figures |= asyncio.run(_flood(args, port, key, source_id, people, server.pid))
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
