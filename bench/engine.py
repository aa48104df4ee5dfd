"""Journey engine benchmark on PostgreSQL: the worker path, end to end, with real processes.

    .venv/bin/python bench/engine.py [--events 10000] [--large 1000000] [--wakeups 10000]

Everything runs on 127.0.0.1 and stops by itself:
1. creates the database BENCH_ENGINE_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/stepwise_bench_engine), migrates it, imports and
   publishes the issue's example journey ("welcome") and removes the minute schedules, so
   only the work the bench asks for runs;
2. starts the three worker clusters with `manage.py workers`, as `make demo` does (events:
   2 workers, wake-ups: 1, delivery: 2; ORM broker, `--broker redis` for Redis), with a
   Q_PREFIX of its own; event tasks go to the events cluster, wake-up sweeps to the
   wake-ups cluster;
3. measures, each time with fresh contacts whose events are COPYed in as the API stores them
   and two `process_pending_events` tasks queued (one per worker):
   - pipeline baseline: events no journey reacts to (claim, catalogue, mark processed);
   - engine: "Signed Up" (enter, email queued, wait) then "Uploaded File" (in-app queued,
     complete), events per second, with 10k and then 1M other enrollments waiting (COPY):
     the worst case, every event moves someone and queues a message;
   - a mixed stream: a tenth of the events move someone (sign-up and upload among page
     views), with 10k waiting;
   - the journeys side alone: the same sign-ups and uploads in this process, with
     channels' message_queue(_many) stubbed out (one process, not the cluster);
   - latency: events inserted one by one at a steady rate, each followed by the API's
     kick, until the contact's message row is visible (p50/p95);
   - due wake-ups per second: enrollments whose timeout is due, swept by two tasks;
   each measured phase starts once the deliveries queued before it are done (deliveries
   are timed on their own: messages per second, 2 workers, nothing else queued);
   - the backlog round (the issue's starvation case): the clusters restarted with the real
     anymail Postmark backend against a slow fake Postmark on 127.0.0.1 (`--esp-delay`,
     75 ms a send), 10,000 sign-ups processed so that 10,000 welcome emails wait for
     delivery, then new sign-ups at a steady rate: event -> message p95 for the new ones
     (target <= 2 s); then, for contrast, the same round with all work on one cluster of
     2 workers (bench/one_cluster_settings.py: how Stepwise ran before the split);
   `--only-backlog` runs just that round (and its contrast);
4. prints the figures next to the targets (>= 1,000 events/s; p50 < 1 s; 1M per-event
   cost within 1.25x of 10k; backlog p95 <= 2 s) and drops the database (unless
   --keep-db).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stepwise_bench_engine"
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}
WELCOME = json.loads((ROOT / "tests" / "journeys" / "runtime" / "welcome.json").read_text())
TARGET_EVENTS_PER_SECOND = 1_000
TARGET_P50_SECONDS = 1.0
TARGET_COST_RATIO = 1.25
TARGET_BACKLOG_P95_SECONDS = 2.0
_ids = itertools.count(1)


# --- database set-up --------------------------------------------------------------------


def _admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def _recreate_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    if name in FORBIDDEN_DATABASES:
        raise SystemExit(f"refusing to use database {name!r}")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(_admin_url(url), autocommit=True) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _env(url: str, broker: str, prefix: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env |= {
        "DJANGO_SETTINGS_MODULE": "onboarding.settings",
        "SECRET_KEY": "bench-engine-secret-key",
        "DATABASE_URL": url,
        "Q_PREFIX": prefix,
        "Q_WORKERS": "2",
        "Q_EVENT_WORKERS": "2",
        "Q_WAKEUP_WORKERS": "1",
        "LOG_LEVEL": "WARNING",
        # Delivery runs for real, but hands emails to a backend that drops them: printing
        # thousands of emails to the console would measure the terminal.
        "EMAIL_BACKEND": "dummy",
    }
    if broker == "redis":
        env["REDIS_URL"] = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    return env


def _django(env: dict[str, str]) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# --- bulk rows (COPY) -------------------------------------------------------------------


def _copy(model, fields: Sequence[str], rows: Iterable[Sequence]) -> None:  # noqa: ANN001
    """COPY rows into a model's table; columns are taken from the model's fields."""
    from django.db import connection

    columns = [model._meta.get_field(name).column for name in fields]
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(model._meta.db_table), sql.SQL(", ").join(map(sql.Identifier, columns))
    )
    connection.ensure_connection()
    with connection.connection.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
    connection.connection.commit()


def _contacts(source_id: int, count: int, prefix: str) -> list[int]:
    from journeys.models import Contact

    now = datetime.now(UTC)
    tag = f"{prefix}-{next(_ids)}"
    fields = ["user_id", "traits", "email", "phone", "first_name", "last_name", "timezone",
              "locale", "groups", "source", "first_seen_at", "last_seen_at"]  # fmt: skip
    _copy(
        Contact,
        fields,
        (
            (
                f"{tag}-{n}",
                "{}",
                f"{tag}-{n}@example.com",
                "+14155550100",
                "Ada",
                "",
                "",
                "",
                "{}",
                source_id,
                now,
                now,
            )  # fmt: skip
            for n in range(count)
        ),
    )
    return list(
        Contact.objects.filter(user_id__startswith=f"{tag}-")
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _events(source_id: int, contact_ids: Sequence[int], name: str, properties: dict) -> None:
    from journeys.models import Event

    now = datetime.now(UTC)
    payload = json.dumps(properties)
    fields = ["source", "contact", "type", "name", "properties", "context", "message_id",
              "timestamp", "received_at"]  # fmt: skip
    _copy(
        Event,
        fields,
        (
            (source_id, pk, "track", name, payload, "{}", uuid.uuid4().hex, now, now)
            for pk in contact_ids
        ),  # fmt: skip
    )


def _waiting(journey, contact_ids: Sequence[int], wake_at: datetime) -> None:  # noqa: ANN001
    """Enrollments waiting at wait_upload (as after "Signed Up"), without their history."""
    from journeys.models import Enrollment

    now = datetime.now(UTC)
    fields = ["contact", "journey", "version", "step_key", "state", "wake_at", "revision",
              "last_event_data", "visit_count", "furthest_position", "trigger_at", "entered_at",
              "step_entered_at", "updated_at"]  # fmt: skip
    data = json.dumps({"name": "Signed Up", "properties": {"plan": "free"}, "timestamp": None})
    version = journey.current_version_id
    _copy(
        Enrollment,
        fields,
        (
            (
                pk,
                journey.pk,
                version,
                "wait_upload",
                "waiting",
                wake_at,
                1,
                data,
                2,
                1,
                now,
                now,
                now,
                now,
            )
            for pk in contact_ids
        ),  # fmt: skip
    )


# --- measuring ----------------------------------------------------------------------------


def _pending() -> int:
    from journeys.models import Event

    return Event.objects.filter(processed_at__isnull=True).count()


def _queue_tasks(func: str, count: int, *, cluster: str, **kwargs) -> None:  # noqa: ANN003
    from django_q.tasks import async_task

    for _ in range(count):
        async_task(func, cluster=cluster, q_options={"save": False}, **kwargs)


def _drain(count: int, *, timeout: float = 600) -> float:
    """Queue one event-processing task per worker; seconds until `count` events are done."""
    start = time.monotonic()
    from django.conf import settings

    _queue_tasks("journeys.tasks.process_pending_events", 2, cluster=settings.Q_EVENTS_CLUSTER)
    while _pending():
        if time.monotonic() - start > timeout:
            raise SystemExit("timed out draining events")
        time.sleep(0.02)
    return time.monotonic() - start


_delivered = {"messages": 0, "seconds": 0.0}


def _settle(label: str = "", *, timeout: float = 600) -> None:
    """Wait until the deliveries queued so far are done, so a measured phase does not pay
    for them: the ORM broker hands out tasks in no set order, so without this a phase's
    engine tasks may or may not wait behind thousands of delivery tasks (as with the
    engine's stand-in for channels before the merge, which delivered nothing)."""
    from channels.models import Message

    backlog = Message.objects.filter(status="queued", scheduled_for__lte=datetime.now(UTC))
    count, start = backlog.count(), time.monotonic()
    while backlog.exists():
        if time.monotonic() - start > timeout:
            raise SystemExit("timed out waiting for deliveries")
        time.sleep(0.05)
    seconds = time.monotonic() - start
    if count >= 1_000:
        _delivered["messages"] += count
        _delivered["seconds"] += seconds
    if count and label:
        print(f"  before {label}: {count:,} queued messages delivered in {seconds:.1f} s")


def _engine_round(source_id: int, count: int, label: str) -> dict[str, float]:
    """Sign-ups then uploads for `count` fresh contacts; events per second of each."""
    from channels.models import Message

    contacts = _contacts(source_id, count, label)
    before = Message.objects.count()
    _events(source_id, contacts, "Signed Up", {"plan": "free"})
    signups = _drain(count)
    _settle()
    _events(source_id, contacts, "Uploaded File", {"filename": "deck.pdf"})
    uploads = _drain(count)
    sent = Message.objects.count() - before
    if sent != 2 * count:
        raise SystemExit(f"{label}: expected {2 * count} messages, found {sent}")
    total = 2 * count / (signups + uploads)
    return {"signups": count / signups, "uploads": count / uploads, "events": total}


def _mixed_round(source_id: int, count: int) -> float:
    """Events per second for `count` events where a tenth move someone: per contact, a
    sign-up and 4 page views, then 4 page views and an upload (2 messages per 10 events)."""
    contacts = _contacts(source_id, count // 10, "mixed")
    _events(source_id, contacts, "Signed Up", {"plan": "free"})
    for _ in range(4):
        _events(source_id, contacts, "Page Viewed", {"path": "/docs"})
    first = _drain(len(contacts) * 5)
    _settle()
    for _ in range(4):
        _events(source_id, contacts, "Page Viewed", {"path": "/upload"})
    _events(source_id, contacts, "Uploaded File", {"filename": "deck.pdf"})
    second = _drain(len(contacts) * 5)
    return len(contacts) * 10 / (first + second)


def _engine_alone(source_id: int, count: int) -> float:
    """Events per second of the engine in this process with the channels call stubbed out:
    what the journeys side costs, without the channels side (one worker)."""
    from channels.delivery.queue import QueuedMessage
    from journeys.run import batch_writing
    from journeys.tasks import process_pending_events

    real = batch_writing.outbox_queue_many
    batch_writing.outbox_queue_many = lambda *, messages, now: [
        QueuedMessage(0, "queued", now, "", "") for _ in messages
    ]
    try:
        contacts = _contacts(source_id, count, "alone")
        _events(source_id, contacts, "Signed Up", {"plan": "free"})
        start = time.monotonic()
        process_pending_events(linger=0)
        signups = time.monotonic() - start
        _events(source_id, contacts, "Uploaded File", {"filename": "deck.pdf"})
        start = time.monotonic()
        process_pending_events(linger=0)
        uploads = time.monotonic() - start
    finally:
        batch_writing.outbox_queue_many = real
    return 2 * count / (signups + uploads)


def _baseline_round(source_id: int, count: int) -> float:
    contacts = _contacts(source_id, count, "baseline")
    _events(source_id, contacts, "Page Viewed", {"path": "/"})
    return count / _drain(count)


def _latency(source_id: int, count: int, rate: float, wait: float = 60) -> list[float]:
    """Seconds from an event's commit to its contact's message row being visible."""
    from channels.models import Message
    from journeys.models import Event
    from journeys.run.kicks import kick_event_processing

    contacts = _contacts(source_id, count, "latency")
    sent_at: dict[int, float] = {}
    seen_at: dict[int, float] = {}
    done = threading.Event()

    def watch() -> None:
        from django.db import connection

        while not done.is_set():
            waiting = [pk for pk in list(sent_at) if pk not in seen_at]
            if waiting:
                found = Message.objects.filter(contact_id__in=waiting).values_list(
                    "contact_id", flat=True
                )
                stamp = time.monotonic()
                for pk in found:
                    seen_at.setdefault(pk, stamp)
            if len(seen_at) == count:
                break
            time.sleep(0.005)
        connection.close()

    watcher = threading.Thread(target=watch)
    watcher.start()
    now = datetime.now
    for pk in contacts:
        tick = time.monotonic()
        Event.objects.create(
            source_id=source_id, contact_id=pk, name="Signed Up", properties={"plan": "free"},
            message_id=uuid.uuid4().hex, timestamp=now(UTC), received_at=now(UTC),
        )  # fmt: skip
        sent_at[pk] = time.monotonic()
        kick_event_processing()
        time.sleep(max(0.0, 1 / rate - (time.monotonic() - tick)))
    watcher.join(timeout=wait)
    done.set()
    return sorted(seen_at[pk] - sent_at[pk] for pk in contacts if pk in seen_at)


def _wakeups(source_id: int, journey, count: int) -> float:  # noqa: ANN001
    from django.conf import settings

    from channels.models import Message
    from journeys.models import Enrollment

    contacts = _contacts(source_id, count, "wake")
    _waiting(journey, contacts, datetime.now(UTC) - timedelta(minutes=1))
    before = Message.objects.count()
    due = Enrollment.objects.filter(state="waiting", wake_at__lte=datetime.now(UTC))
    start = time.monotonic()
    _queue_tasks(
        "journeys.run.enrollments.enrollments_wake_due",
        2,
        cluster=settings.Q_WAKEUPS_CLUSTER,
        now=datetime.now(UTC),
    )
    while due.exists():
        time.sleep(0.02)
    elapsed = time.monotonic() - start
    sent = Message.objects.count() - before
    if sent != count:
        raise SystemExit(f"wake-ups: expected {count} messages, found {sent}")
    return count / elapsed


# --- the backlog round -------------------------------------------------------------------


def _start_workers(env: dict[str, str], *, one_cluster: bool) -> subprocess.Popen:
    """The three clusters (`manage.py workers`), or everything on one qcluster of 2 workers."""
    if one_cluster:
        env = env | {"DJANGO_SETTINGS_MODULE": "bench.one_cluster_settings"}
        command = [sys.executable, "manage.py", "qcluster"]
    else:
        command = [sys.executable, "manage.py", "workers"]
    return subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)


def _stop_workers(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def _backlog_round(
    source_id: int, env: dict[str, str], args: argparse.Namespace, *, one_cluster: bool
) -> dict[str, float]:
    """New sign-ups arriving while `args.backlog` welcome emails wait for a slow ESP:
    seconds from each new event to its message row (the engine's reaction)."""
    from django.conf import settings

    from channels.models import Message
    from tests.fakes.http import FakePostmark

    esp = FakePostmark(record=False)
    esp.send_delay = args.esp_delay
    esp.httpd.handle_error = lambda request, address: None  # sends cut off when workers stop
    esp.start()
    round_env = env | {
        "EMAIL_ESP": "postmark",
        "ANYMAIL_POSTMARK_SERVER_TOKEN": "bench-token",
        "ANYMAIL_POSTMARK_API_URL": esp.url + "/",
        "DEFAULT_FROM_EMAIL": "Stepwise <hello@stepwise.example.com>",
        "CHANNELS_FREQUENCY_CAP": "0",
    }
    events_cluster = settings.Q_EVENTS_CLUSTER
    if one_cluster:  # this process's kicks go to the one queue too
        settings.Q_EVENTS_CLUSTER = settings.Q_PREFIX
    workers = _start_workers(round_env, one_cluster=one_cluster)
    try:
        time.sleep(3)
        contacts = _contacts(source_id, args.backlog, "backlog")
        _events(source_id, contacts, "Signed Up", {"plan": "free"})
        _drain(len(contacts))
        # The drain's tasks linger a moment for more events: let them end, so that the new
        # sign-ups depend on the API's kicks, as after any quiet spell in production.
        time.sleep(3)
        queued = Message.objects.filter(status="queued")
        waiting, sent_before = queued.count(), len(esp.accepted)
        latencies = _latency(source_id, args.backlog_events, args.backlog_rate, wait=120)
        left = queued.count()
        sent = len(esp.accepted) - sent_before
    finally:
        _stop_workers(workers)
        settings.Q_EVENTS_CLUSTER = events_cluster
        esp.stop()
    result = {"waiting": waiting, "left": left, "seen": len(latencies), "sent": sent}
    if latencies:
        result |= {"p50": _percentile(latencies, 0.5), "p95": _percentile(latencies, 0.95)}
    return result


def _backlog_rows(args: argparse.Namespace, split: dict, one: dict | None) -> None:
    print()
    print(
        f"Backlog round: {args.backlog:,} welcome emails queued for a fake ESP taking "
        f"{args.esp_delay * 1000:.0f} ms a send, then {args.backlog_events} new sign-ups at "
        f"{args.backlog_rate:.0f}/s; event -> message row for the new sign-ups."
    )
    for label, result in (("three clusters", split), ("everything on one cluster", one)):
        if result is None:
            continue
        waiting = f"{result['waiting']:,} waiting, {result['sent']:,} sent meanwhile"
        _row(f"{label}: delivery backlog", waiting)
        if "p95" not in result:
            _row(f"{label}: event -> message", "none within 120 s")
            continue
        seen = f"{result['seen']}/{args.backlog_events} seen"
        figure = f"p50 {result['p50'] * 1000:,.0f} ms, p95 {result['p95'] * 1000:,.0f} ms"
        verdict = ""
        if label == "three clusters":
            good = result["p95"] <= TARGET_BACKLOG_P95_SECONDS and result["seen"] == (
                args.backlog_events
            )
            verdict = _verdict(good, f"p95 <= {TARGET_BACKLOG_P95_SECONDS:.0f} s")
        _row(f"{label}: event -> message ({seen})", figure, verdict)
    if one and "p95" in one and "p95" in split:
        _row("p95, one cluster / three clusters", f"{one['p95'] / split['p95']:,.1f}x")


def _row(label: str, value: str, verdict: str = "") -> None:
    print(f"  {label:<42} {value:>28}  {verdict}")


def _verdict(good: bool, target: str) -> str:
    return f"target {target}: {'ok' if good else 'MISSED'}"


def _percentile(values: Sequence[float], share: float) -> float:
    return values[min(len(values) - 1, int(round(share * (len(values) - 1))))]


# --- main ---------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=10_000, help="contacts per engine round")
    parser.add_argument("--small", type=int, default=10_000, help="waiting enrollments, small")
    parser.add_argument("--large", type=int, default=1_000_000, help="waiting enrollments, large")
    parser.add_argument("--wakeups", type=int, default=10_000)
    parser.add_argument("--latency-events", type=int, default=300)
    parser.add_argument("--latency-rate", type=float, default=50.0, help="events per second")
    parser.add_argument("--broker", choices=["orm", "redis"], default="orm")
    parser.add_argument("--backlog", type=int, default=10_000, help="emails waiting to go out")
    parser.add_argument("--backlog-events", type=int, default=300, help="new sign-ups")
    parser.add_argument("--backlog-rate", type=float, default=20.0, help="new sign-ups a second")
    parser.add_argument("--esp-delay", type=float, default=0.075, help="seconds a send takes")
    parser.add_argument("--only-backlog", action="store_true", help="just the backlog round")
    parser.add_argument("--no-contrast", action="store_true", help="skip the one-cluster run")
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    url = os.environ.get("BENCH_ENGINE_DATABASE_URL", DEFAULT_URL)
    env = _env(url, args.broker, f"bench-engine-{uuid.uuid4().hex[:6]}")
    _recreate_database(url)
    migrate = [sys.executable, "manage.py", "migrate", "-v", "0"]
    subprocess.run(migrate, cwd=ROOT, env=env, check=True)
    _django(env)
    from django.db import connection
    from django_q.models import Schedule

    from journeys.models import Contact
    from journeys.people.sources import source_create
    from journeys.run.journeys import journey_import

    Schedule.objects.all().delete()
    journey = journey_import(data=WELCOME, publish=True)
    source, _ = source_create(name="bench")
    connection.close()
    results: dict[str, float] = {}
    latencies: list[float] = []
    run_small = run_large = {}
    backlog: dict[str, dict | None] = {"split": None, "one": None}
    cluster = None
    try:
        if not args.only_backlog:
            cluster = _start_workers(env, one_cluster=False)
            latencies, run_small, run_large = _main_rounds(source.pk, journey, args, results)
            _stop_workers(cluster)
            cluster = None
        backlog["split"] = _backlog_round(source.pk, env, args, one_cluster=False)
        if not args.no_contrast:
            _clear_deliveries()
            backlog["one"] = _backlog_round(source.pk, env, args, one_cluster=True)
        contacts = Contact.objects.count()
    finally:
        if cluster is not None:
            _stop_workers(cluster)
        connection.close()
        if not args.keep_db:
            _drop_database(url)

    if not args.only_backlog:
        _print_main(args, results, latencies, run_small, run_large, contacts)
    assert backlog["split"] is not None
    _backlog_rows(args, backlog["split"], backlog["one"])
    return 0


def _clear_deliveries() -> None:
    """Between the two backlog runs: the first run's undelivered emails and their tasks go."""
    from django.conf import settings
    from django_q.brokers import get_broker

    from channels.models import Message

    for name in settings.Q_CLUSTERS:
        get_broker(name).purge_queue()
    Message.objects.filter(status="queued").update(status="suppressed", status_reason="bench")


def _main_rounds(source_id: int, journey, args: argparse.Namespace, results: dict):  # noqa: ANN001, ANN201
    """The throughput, latency and wake-up rounds, on the three clusters."""
    from django.db import connection

    time.sleep(3)
    _baseline_round(source_id, 500)  # warm-up: processes, connections, caches
    _engine_round(source_id, 500, "warmup")
    results["baseline"] = _baseline_round(source_id, args.events)
    small = _contacts(source_id, args.small, "waiting-small")
    _waiting(journey, small, datetime.now(UTC) + timedelta(days=30))
    connection.cursor().execute("ANALYZE")  # as before the 1M round
    _settle("the 10k round")
    run_small = _engine_round(source_id, args.events, "small")
    _settle("the mixed round")
    results["mixed"] = _mixed_round(source_id, args.events * 2)
    print(f"  with {args.small:,} waiting: {run_small['events']:,.0f} events/s", flush=True)
    for chunk in range(0, args.large - args.small, 250_000):
        size = min(250_000, args.large - args.small - chunk)
        _waiting(journey, _contacts(source_id, size, "waiting-large"),
                 datetime.now(UTC) + timedelta(days=30))  # fmt: skip
    connection.cursor().execute("ANALYZE")
    _settle("the 1M round")
    run_large = _engine_round(source_id, args.events, "large")
    print(f"  with {args.large:,} waiting: {run_large['events']:,.0f} events/s", flush=True)
    _settle("the in-process round")
    results["alone"] = _engine_alone(source_id, args.events)
    # The in-process round's events race the clusters' lingering tasks, which deliver what
    # they take: let the tasks end and those deliveries finish before timing latency.
    time.sleep(3)
    _settle("the latency round")
    latencies = _latency(source_id, args.latency_events, args.latency_rate)
    _settle("the wake-ups")
    results["wakeups"] = _wakeups(source_id, journey, args.wakeups)
    _settle("the backlog round")
    return latencies, run_small, run_large


def _print_main(args, results, latencies, run_small, run_large, contacts) -> None:  # noqa: ANN001
    """The figures of the main rounds, next to their targets."""
    cost_small = 1000 / run_small["events"]
    cost_large = 1000 / run_large["events"]
    ratio = cost_large / cost_small
    p50, p95 = _percentile(latencies, 0.50), _percentile(latencies, 0.95)
    engine = run_small["events"]
    print()
    print(
        "Journey engine on PostgreSQL, three worker clusters (events and delivery 2 workers"
        f" each, wake-ups 1; {args.broker} broker);"
    )
    print(f"{contacts:,} contacts in the database at the end.")
    print()
    _row("pipeline, no journey reacts (baseline)", f"{results['baseline']:,.0f} events/s")
    _row(f"engine, {args.small:,} waiting: sign-ups", f"{run_small['signups']:,.0f} events/s")
    _row(f"engine, {args.small:,} waiting: uploads", f"{run_small['uploads']:,.0f} events/s")
    _row(
        f"engine, {args.small:,} waiting: both",
        f"{engine:,.0f} events/s",
        _verdict(engine >= TARGET_EVENTS_PER_SECOND, f">= {TARGET_EVENTS_PER_SECOND:,}"),
    )
    _row("engine / baseline", f"{engine / results['baseline']:.2f}")
    _row(
        f"engine, {args.small:,} waiting: mixed stream",
        f"{results['mixed']:,.0f} events/s",
        _verdict(results["mixed"] >= TARGET_EVENTS_PER_SECOND, f">= {TARGET_EVENTS_PER_SECOND:,}"),
    )
    _row("journeys side alone (channels stubbed), 1 process", f"{results['alone']:,.0f} events/s")
    _row(f"engine, {args.large:,} waiting: both", f"{run_large['events']:,.0f} events/s")
    _row(
        "per-event cost, large / small",
        f"{cost_large:.3f} / {cost_small:.3f} ms = {ratio:.2f}",
        _verdict(ratio <= TARGET_COST_RATIO, f"<= {TARGET_COST_RATIO}"),
    )
    _row(
        f"event -> message, {len(latencies)} events at {args.latency_rate:.0f}/s",
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms",
        _verdict(p50 < TARGET_P50_SECONDS, "p50 < 1 s"),
    )
    _row("due wake-ups handled (2 sweeps, 1 worker)", f"{results['wakeups']:,.0f} per s")
    if _delivered["seconds"]:
        rate = _delivered["messages"] / _delivered["seconds"]
        _row("deliveries (email + in-app, 2 workers)", f"{rate:,.0f} messages/s")


if __name__ == "__main__":
    sys.exit(main())
