"""Event API ingest benchmark: Stepwise's /v1/track and /v1/batch against a bare Django view.

    .venv/bin/python bench/ingest.py [--duration 10] [--rounds 3] [--concurrency 8]

Everything runs on 127.0.0.1 and stops by itself:
1. creates the PostgreSQL database BENCH_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/stepwise_bench), migrates Stepwise and the bare
   project (bench/_bare) into it and creates a source with `manage.py create_source`;
2. starts Stepwise (`gunicorn onboarding.wsgi -w 2`) and the bare project
   (`gunicorn bare.wsgi -w 2`) side by side;
3. measures, interleaved in rounds with the same load generator (one process per
   connection, closed loop): single `track` requests/s with p50/p99 latency, for contacts
   that exist and for new ones, and `batch` of 100 events in events/s, next to the bare
   view doing one ORM insert per request and the bare view doing `bulk_create` of 100;
4. prints the medians, the ratios against the bare views measured in the same round
   (targets: track >= 0.60, batch >= 0.40, batch >= 15,000 events/s), and checks that the
   database holds exactly as many events as were acknowledged with a 200;
5. stops both servers and drops the database (unless --keep-db).

Exit status: 0 when nothing acknowledged was lost (targets are reported, not enforced
unless --strict), 2 when stored and acknowledged counts differ, 1 on a setup failure.
"""

from __future__ import annotations

import argparse
import base64
import json
import multiprocessing as mp
import os
import queue
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from array import array
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
BARE_DIR = ROOT / "bench" / "_bare"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stepwise_bench"
FORBIDDEN_DATABASES = {"test", "postgres", "template0", "template1"}
KNOWN_USERS = 300
BATCH_SIZE = 100
TARGETS = {"track": 0.60, "batch": 0.40, "batch_events": 15_000}

# kind → (server, path, events per request)
PHASES = {
    "bare_single": ("bare", "/single", 1),
    "track": ("app", "/v1/track", 1),
    "track_new": ("app", "/v1/track", 1),
    "bare_bulk": ("bare", "/bulk", BATCH_SIZE),
    "batch": ("app", "/v1/batch", BATCH_SIZE),
}
# With --asgi: the same Stepwise under uvicorn (onboarding.asgi, 2 workers), same database.
ASGI_PHASES = {
    "track_asgi": ("asgi", "/v1/track", 1),
    "batch_asgi": ("asgi", "/v1/batch", BATCH_SIZE),
}
ASGI_LABELS = {
    "track_asgi": "POST /v1/track under uvicorn (ASGI)",
    "batch_asgi": "POST /v1/batch of 100 under uvicorn (ASGI)",
}
LABELS = {
    "bare_single": "bare view, 1 ORM insert / request",
    "track": "POST /v1/track, known contacts",
    "track_new": "POST /v1/track, new contacts",
    "bare_bulk": "bare view, bulk_create of 100",
    "batch": "POST /v1/batch of 100 (known contacts)",
}

_TRACK = (
    '{"type":"track","userId":"%s","event":"Bench Event","properties":{"plan":"pro",'
    '"value":%d,"source":"bench"},"messageId":"%s","timestamp":"%s",'
    '"context":{"library":{"name":"stepwise-bench","version":"1"},"ip":"127.0.0.1"}}'
)


# --- HTTP client (closed loop, one connection per process) ------------------------------


def _dechunk(data: bytes) -> bytes:
    out, pos = [], 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";")[0], 16)
        if size == 0:
            return b"".join(out)
        out.append(data[end + 2 : end + 2 + size])
        pos = end + 2 + size + 2


class Connection:
    """A minimal HTTP/1.1 client: keeps the connection when the server allows it
    (gunicorn's sync workers answer `Connection: close`, so it reconnects each time)."""

    def __init__(self, port: int) -> None:
        self.address = ("127.0.0.1", port)
        self.sock: socket.socket | None = None

    def post(self, head: bytes, body: bytes) -> tuple[int, bytes]:
        if self.sock is None:
            self.sock = socket.create_connection(self.address, timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock = self.sock
        try:
            sock.sendall(head + body)
            buf = b""
            while b"\r\n\r\n" not in buf:
                chunk = sock.recv(65536)
                if not chunk:
                    raise ConnectionError("connection closed before the answer")
                buf += chunk
            header, _, rest = buf.partition(b"\r\n\r\n")
            lines = header.split(b"\r\n")
            status = int(lines[0].split()[1])
            length, close = None, lines[0].startswith(b"HTTP/1.0")
            chunked = False
            for line in lines[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection":
                    close = value.strip().lower() == b"close"
                elif name == b"transfer-encoding":
                    chunked = b"chunked" in value.lower()
            if chunked:
                while not rest.endswith(b"0\r\n\r\n"):
                    chunk = sock.recv(65536)
                    if not chunk:
                        raise ConnectionError("connection closed in a chunked body")
                    rest += chunk
                rest, length = _dechunk(rest), -1
            while length is None or len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    if length is None:
                        close = True
                        break
                    raise ConnectionError("connection closed in the body")
                rest += chunk
        except BaseException:
            self.close()
            raise
        if close:
            self.close()
        return status, rest

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


@dataclass
class Job:
    kind: str
    port: int
    path: str
    auth: str | None
    tag: str  # unique per (round, phase, connection): keeps messageIds distinct
    start_at: float
    deadline: float
    seed: int


def _bodies(job: Job):
    """Yield request bodies forever: distinct messageIds; known or new userIds."""
    rng = random.Random(job.seed)
    stamp = datetime.now(UTC).isoformat()
    n = 0
    if PHASES[job.kind][2] == 1:
        while True:
            n += 1
            user = (
                f"new-{job.tag}-{n}"
                if job.kind == "track_new"
                else f"user-{rng.randrange(KNOWN_USERS)}"
            )
            yield (_TRACK % (user, n, f"{job.tag}-{n}", stamp)).encode()
    else:
        while True:
            items = []
            for _ in range(BATCH_SIZE):
                n += 1
                user = f"user-{rng.randrange(KNOWN_USERS)}"
                items.append(_TRACK % (user, n, f"{job.tag}-{n}", stamp))
            yield ('{"batch":[' + ",".join(items) + '],"sentAt":"' + stamp + '"}').encode()


def _worker(job: Job, results) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
    conn = Connection(job.port)
    auth = f"Authorization: Basic {job.auth}\r\n" if job.auth else ""
    prefix = (
        f"POST {job.path} HTTP/1.1\r\nHost: 127.0.0.1:{job.port}\r\n{auth}"
        "Content-Type: application/json\r\nUser-Agent: stepwise-bench\r\n"
    ).encode()
    latencies = array("d")
    counts = {"ok": 0, "events": 0, "refused": 0, "errors": 0, "unanswered": 0, "bad_answers": 0}
    bodies = _bodies(job)
    per_request = PHASES[job.kind][2]
    while time.monotonic() < job.start_at:
        time.sleep(0.001)
    cpu0 = time.process_time()
    while time.monotonic() < job.deadline:
        body = next(bodies)
        head = prefix + b"Content-Length: %d\r\n\r\n" % len(body)
        t0 = time.perf_counter()
        try:
            status, answer = conn.post(head, body)
        except (OSError, ConnectionError, ValueError, IndexError):
            counts["errors"] += 1
            counts["unanswered"] += per_request  # may or may not be stored
            continue
        latencies.append(time.perf_counter() - t0)
        if status == 200:
            counts["ok"] += 1
            if per_request == 1:
                counts["events"] += 1
            else:
                try:
                    counts["events"] += json.loads(answer)["accepted"]
                except (ValueError, KeyError, TypeError):
                    counts["events"] += per_request
                    counts["bad_answers"] += 1
        else:
            counts["refused"] += 1
            if counts["refused"] <= 3:
                print(f"  {job.kind}: HTTP {status} {answer[:200]!r}", file=sys.stderr)
    conn.close()
    results.put((counts, latencies.tobytes(), time.monotonic(), time.process_time() - cpu0))


# --- Processes, CPU accounting ----------------------------------------------------------


def _cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime + stime
    return total / tick


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def _machine_busy_seconds() -> float:
    """CPU seconds used by everything on the machine (all cores), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _backend_pids(url: str) -> list[int]:
    """The PostgreSQL backends connected to the bench database (the servers' persistent
    connections), not the rest of a server that others may be using too."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return [pid for (pid,) in rows]


class Server:
    """A gunicorn master started in its own session; stopped by its pid."""

    def __init__(
        self, name: str, args: list[str], env: dict, cwd: Path, log_dir: Path, *, asgi=False
    ) -> None:
        self.name = name
        self.port = _free_port()
        self.log_path = log_dir / f"{name}.log"
        self.log = self.log_path.open("wb")
        cmd = [sys.executable, "-m", "gunicorn", *args, "-w", "2", "-b", f"127.0.0.1:{self.port}"]
        if asgi:
            cmd = [sys.executable, "-m", "uvicorn", *args, "--workers", "2", "--host"]
            cmd += ["127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
            cmd += ["--no-access-log", "--lifespan", "off"]
        self.proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout: float = 30) -> None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_path.read_text()[-3000:]}")
            try:
                Connection(self.port).post(
                    b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 0\r\n\r\n", b""
                )
                if len(self.workers()) >= 2:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not start:\n{self.log_path.read_text()[-3000:]}")

    def workers(self) -> list[int]:
        return _children(self.proc.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)  # gunicorn stops its workers itself
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)  # our own session, by its id
                self.proc.wait(timeout=5)
        self.log.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- Measurement ------------------------------------------------------------------------


@dataclass
class Result:
    """What one kind did in one round: the sum of its slices."""

    kind: str
    requests: int = 0
    events: int = 0
    refused: int = 0
    errors: int = 0
    unanswered: int = 0
    seconds: float = 0.0
    window: float = 0.0  # wall seconds over which the CPU figures were taken
    cpu_server: float = 0.0  # seconds of the gunicorn workers
    cpu_db: float = 0.0  # seconds of the PostgreSQL backends of the bench database
    cpu_client: float = 0.0  # seconds of the load generator
    cpu_machine: float = 0.0  # seconds of the whole machine
    latencies: array = field(default_factory=lambda: array("d"), repr=False)

    def add(self, other: Result) -> None:
        for name in (
            "requests",
            "events",
            "refused",
            "errors",
            "unanswered",
            "seconds",
            "window",
            "cpu_server",
            "cpu_db",
            "cpu_client",
            "cpu_machine",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.latencies.extend(other.latencies)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def eps(self) -> float:
        return self.events / self.seconds if self.seconds else 0.0

    def _per_request(self, seconds: float) -> float:
        return seconds / max(1, self.requests + self.refused) * 1e6

    @property
    def server_cpu_us(self) -> float:
        return self._per_request(self.cpu_server)

    @property
    def db_cpu_us(self) -> float:
        return self._per_request(self.cpu_db)

    @property
    def client_cpu_us(self) -> float:
        return self._per_request(self.cpu_client)

    @property
    def others_cores(self) -> float:
        """Cores busy with anything else than this benchmark meanwhile: noise."""
        others = self.cpu_machine - self.cpu_server - self.cpu_db - self.cpu_client
        return max(0.0, others / self.window) if self.window else 0.0

    def _percentile(self, fraction: float) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] * 1000

    @property
    def p50_ms(self) -> float:
        return self._percentile(0.50)

    @property
    def p99_ms(self) -> float:
        return self._percentile(0.99)


def _next_result(results, procs, *, timeout: float):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            return results.get(timeout=0.5)
        except queue.Empty:
            if (
                all(p.exitcode not in (None, 0) or not p.is_alive() for p in procs)
                and results.empty()
            ):
                raise RuntimeError(
                    "load generator processes died (see the traceback above)"
                ) from None
    raise RuntimeError("load generator processes did not finish in time")


def run_phase(
    kind: str,
    servers: dict[str, Server],
    key: str,
    tag: str,
    duration: float,
    concurrency: int,
    url: str,
) -> Result:
    server_name, path, _ = PHASES[kind]
    server = servers[server_name]
    auth = base64.b64encode(f"{key}:".encode()).decode() if server_name in ("app", "asgi") else None
    ctx = mp.get_context("fork")
    results = ctx.Queue()
    start_at = time.monotonic() + 0.15
    jobs = [
        Job(
            kind,
            server.port,
            path,
            auth,
            f"{tag}-{i}",
            start_at,
            start_at + duration,
            hash((tag, i)),
        )
        for i in range(concurrency)
    ]
    procs = [ctx.Process(target=_worker, args=(job, results), daemon=True) for job in jobs]
    for p in procs:
        p.start()
    workers, pg = server.workers(), _backend_pids(url)
    while time.monotonic() < start_at:
        time.sleep(0.001)
    cpu_server, cpu_db, busy = _cpu_seconds(workers), _cpu_seconds(pg), _machine_busy_seconds()
    window = time.monotonic()
    result, ends = Result(kind), []
    try:
        for _ in procs:
            counts, lat, end, cpu = _next_result(results, procs, timeout=duration + 60)
            result.requests += counts["ok"]
            result.events += counts["events"]
            result.refused += counts["refused"]
            result.errors += counts["errors"]
            result.unanswered += counts["unanswered"]
            result.latencies.frombytes(lat)
            result.cpu_client += cpu
            ends.append(end)
    finally:
        for p in procs:
            p.join(timeout=5)
            if p.is_alive():
                p.terminate()
    result.cpu_server = _cpu_seconds(workers) - cpu_server
    result.cpu_db = _cpu_seconds(pg) - cpu_db
    result.cpu_machine = _machine_busy_seconds() - busy
    result.window = time.monotonic() - window
    result.seconds = max(ends) - start_at
    return result


# --- Database and servers ---------------------------------------------------------------


def _database_name(url: str) -> str:
    name = urlsplit(url).path.lstrip("/")
    if not name or name in FORBIDDEN_DATABASES:
        raise SystemExit(f"Refusing to use database {name!r}: give BENCH_DATABASE_URL a bench db.")
    return name


def _admin(url: str) -> psycopg.Connection:
    return psycopg.connect(url, dbname="postgres", autocommit=True)


def recreate_database(url: str) -> None:
    name = _database_name(url)
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    name = _database_name(url)
    with _admin(url) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def count_rows(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        return conn.execute(
            sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table))
        ).fetchone()[0]


def _run(cmd: list[str], env: dict, cwd: Path) -> str:
    done = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def environments(url: str) -> tuple[dict, dict]:
    common = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": "bench-" + os.urandom(16).hex(),
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING",
        "PYTHONUNBUFFERED": "1",
    }
    common.pop("DJANGO_SETTINGS_MODULE", None)
    app = {**common, "DJANGO_SETTINGS_MODULE": "onboarding.settings"}
    bare = {**common, "DJANGO_SETTINGS_MODULE": "bare.settings", "PYTHONPATH": str(BARE_DIR)}
    return app, bare


# --- Report -----------------------------------------------------------------------------


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def report(rounds: list[dict[str, Result]]) -> dict:
    def med(kind: str, attr: str) -> float:
        return _median([getattr(r[kind], attr) for r in rounds])

    lines = [
        "",
        f"{'measurement (median of ' + str(len(rounds)) + ' rounds)':<44}"
        f"{'req/s':>9}{'events/s':>10}{'p50 ms':>8}{'p99 ms':>8}"
        f"{'app µs':>8}{'db µs':>8}{'gen µs':>8}{'other':>7}",
    ]
    lines.append("-" * len(lines[-1]))
    for kind in PHASES:
        lines.append(
            f"{LABELS[kind]:<44}{med(kind, 'rps'):>9,.0f}{med(kind, 'eps'):>10,.0f}"
            f"{med(kind, 'p50_ms'):>8.1f}{med(kind, 'p99_ms'):>8.1f}"
            f"{med(kind, 'server_cpu_us'):>8,.0f}{med(kind, 'db_cpu_us'):>8,.0f}"
            f"{med(kind, 'client_cpu_us'):>8,.0f}{med(kind, 'others_cores'):>7.2f}"
        )
    lines.append(
        "(app/db/gen µs: CPU per answered request of the gunicorn workers, of the PostgreSQL "
        "backends serving them, of the load generator;\n"
        f" other: cores busy with anything else meanwhile, out of {os.cpu_count()}: "
        "noise when well above 0)"
    )
    print("\n".join(lines))

    def ratios(num: str, den: str, attr: str) -> list[float]:
        return [getattr(r[num], attr) / max(1e-9, getattr(r[den], attr)) for r in rounds]

    def cpu_ratios(num: str, den: str) -> list[float]:
        """Bare's server+database CPU per event ÷ ours: what the throughput ratio would be
        on a CPU-bound machine with nothing else running (steadier than req/s under noise)."""
        per = PHASES[num][2]
        return [
            (r[den].server_cpu_us + r[den].db_cpu_us)
            / PHASES[den][2]
            / max(1e-9, (r[num].server_cpu_us + r[num].db_cpu_us) / per)
            for r in rounds
        ]

    figures = {
        "track": ratios("track", "bare_single", "rps"),
        "track_new": ratios("track_new", "bare_single", "rps"),
        "batch": ratios("batch", "bare_bulk", "eps"),
    }
    batch_eps = med("batch", "eps")
    print("\nRatios against the bare views, per round (median):")
    verdicts = {}
    for name, label, target in (
        ("track", "track req/s ÷ bare single req/s", TARGETS["track"]),
        ("track_new", "track (new contacts) req/s ÷ bare single req/s", TARGETS["track"]),
        ("batch", "batch events/s ÷ bare bulk_create events/s", TARGETS["batch"]),
    ):
        value = _median(figures[name])
        verdicts[name] = value >= target
        rounds_text = ", ".join(f"{v:.2f}" for v in figures[name])
        print(
            f"  {label:<48} {value:5.2f}  (target ≥ {target:.2f}: "
            f"{'met' if verdicts[name] else 'MISSED'}; rounds {rounds_text})"
        )
    cpu_figures = {
        "track": cpu_ratios("track", "bare_single"),
        "track_new": cpu_ratios("track_new", "bare_single"),
        "batch": cpu_ratios("batch", "bare_bulk"),
    }
    print(
        "  cross-check, CPU cost ratios (bare ÷ ours, gunicorn workers + PostgreSQL CPU per "
        "event): " + ", ".join(f"{k} {_median(v):.2f}" for k, v in cpu_figures.items())
    )
    verdicts["batch_events"] = batch_eps >= TARGETS["batch_events"]
    if "track_asgi" in PHASES:
        asgi = {
            "track": ratios("track_asgi", "track", "rps"),
            "batch": ratios("batch_asgi", "batch", "eps"),
        }
        print(
            "  the event API under uvicorn ÷ under gunicorn (same run): "
            + ", ".join(
                f"{k} {_median(v):.2f} (rounds {', '.join(f'{x:.2f}' for x in v)})"
                for k, v in asgi.items()
            )
        )
    print(
        f"  {'batch events/s (absolute)':<48} {batch_eps:,.0f}  (target ≥ "
        f"{TARGETS['batch_events']:,}: {'met' if verdicts['batch_events'] else 'MISSED'})"
    )
    if "track_asgi" in PHASES:
        figures["asgi_track"], figures["asgi_batch"] = asgi["track"], asgi["batch"]
    return {
        "ratios": {k: _median(v) for k, v in figures.items()},
        "ratios_per_round": figures,
        "cpu_cost_ratios": {k: _median(v) for k, v in cpu_figures.items()},
        "batch_events_per_s": batch_eps,
        "targets_met": verdicts,
        "medians": {
            kind: {
                attr: med(kind, attr)
                for attr in (
                    "rps",
                    "eps",
                    "p50_ms",
                    "p99_ms",
                    "server_cpu_us",
                    "db_cpu_us",
                    "client_cpu_us",
                    "others_cores",
                )
            }
            for kind in PHASES
        },
    }


# --- Main -------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=float, default=10, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--slice",
        type=float,
        default=2,
        help="seconds per slice: each kind's measurement alternates with the others' in slices",
    )
    parser.add_argument("--concurrency", type=int, default=8, help="connections (processes)")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per kind before round 1")
    parser.add_argument("--keep-db", action="store_true", help="leave the database afterwards")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--strict", action="store_true", help="exit 3 when a target is missed")
    parser.add_argument(
        "--asgi",
        action="store_true",
        help="also measure the event API under uvicorn (onboarding.asgi), in the same rounds",
    )
    parser.add_argument(
        "--only", nargs="+", choices=list(PHASES), help="measure only these kinds (debugging)"
    )
    args = parser.parse_args()
    if args.asgi:
        PHASES.update(ASGI_PHASES)
        LABELS.update(ASGI_LABELS)
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL)
    _database_name(url)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    kinds = args.only or list(PHASES)
    app_env, bare_env = environments(url)
    servers: dict[str, Server] = {}
    log_dir = Path(tempfile.mkdtemp(prefix="stepwise-bench-"))
    acked = {"app": 0, "bare": 0}
    unanswered = {"app": 0, "bare": 0}
    started = time.monotonic()
    status = 0
    try:
        print(f"Database {_database_name(url)}: creating and migrating…", flush=True)
        recreate_database(url)
        _run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], app_env, ROOT)
        _run(
            [sys.executable, "-m", "django", "migrate", "--noinput", "-v", "0"], bare_env, BARE_DIR
        )
        key = _run([sys.executable, "manage.py", "create_source", "bench"], app_env, ROOT)
        key = key.strip().splitlines()[-1].strip()

        servers["app"] = Server("stepwise", ["onboarding.wsgi"], app_env, ROOT, log_dir)
        servers["bare"] = Server("bare", ["bare.wsgi"], bare_env, BARE_DIR, log_dir)
        if args.asgi:
            servers["asgi"] = Server(
                "stepwise-asgi", ["onboarding.asgi:application"], app_env, ROOT, log_dir, asgi=True
            )
        for server in servers.values():
            server.wait_ready()
        print(
            f"gunicorn -w 2: stepwise on :{servers['app'].port}, bare on :{servers['bare'].port}; "
            f"{args.concurrency} connections, {args.duration:g} s per measurement, "
            f"{args.rounds} rounds",
            flush=True,
        )

        def account(kind: str, result: Result) -> None:
            side = "app" if PHASES[kind][0] == "asgi" else PHASES[kind][0]
            acked[side] += result.events
            unanswered[side] += result.unanswered

        # The known contacts: one batch event for each of them, then a warm-up of each kind.
        seed_batch = ",".join(
            _TRACK % (f"user-{u}", u, f"seed-{u}", datetime.now(UTC).isoformat())
            for u in range(KNOWN_USERS)
        )
        auth = base64.b64encode(f"{key}:".encode()).decode()
        status_code, answer = Connection(servers["app"].port).post(
            (
                f"POST /v1/batch HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic {auth}\r\n"
                f"Content-Type: application/json\r\nContent-Length: "
                f"{len(seed_batch) + 12}\r\n\r\n"
            ).encode(),
            ('{"batch":[' + seed_batch + "]}").encode(),
        )
        if status_code != 200:
            raise RuntimeError(f"seeding contacts failed: {status_code} {answer[:300]!r}")
        acked["app"] += json.loads(answer)["accepted"]
        for kind in kinds:
            if args.warmup > 0:
                account(
                    kind,
                    run_phase(kind, servers, key, f"w-{kind}", args.warmup, args.concurrency, url),
                )

        # Each round gives every kind `duration` seconds, cut into slices that alternate
        # between the kinds, so that a burst of load from elsewhere hits them all alike.
        slices = max(1, round(args.duration / args.slice))
        rounds: list[dict[str, Result]] = []
        for n in range(args.rounds):
            measured = {kind: Result(kind) for kind in kinds}
            for part in range(slices):
                shift = (n * slices + part) % len(kinds)
                for kind in kinds[shift:] + kinds[:shift]:
                    time.sleep(0.1)
                    result = run_phase(
                        kind,
                        servers,
                        key,
                        f"r{n}s{part}-{kind}",
                        args.duration / slices,
                        args.concurrency,
                        url,
                    )
                    account(kind, result)
                    measured[kind].add(result)
            for kind, result in measured.items():
                print(
                    f"  round {n + 1} {kind:<12} {result.rps:8,.0f} req/s {result.eps:9,.0f} ev/s "
                    f"p50 {result.p50_ms:5.1f} ms p99 {result.p99_ms:6.1f} ms"
                    f"  app {result.server_cpu_us:6,.0f} µs/req"
                    f"  other {result.others_cores:.2f} cores"
                    + (f"  refused {result.refused}" if result.refused else "")
                    + (f"  errors {result.errors}" if result.errors else ""),
                    flush=True,
                )
            rounds.append(measured)

        figures = {}
        if set(kinds) == set(PHASES):
            figures = report(rounds)

        print("\nDurability: stored events vs events acknowledged with a 200")
        for side, table in (("app", "journeys_event"), ("bare", "bare_bareevent")):
            stored = count_rows(url, table)
            if unanswered[side]:
                lost_ok = acked[side] <= stored <= acked[side] + unanswered[side]
                note = f" ({unanswered[side]} sent without an answer: may or may not be stored)"
            else:
                lost_ok = stored == acked[side]
                note = ""
            print(
                f"  {side:<5} {table:<16} stored {stored:>9,}  acknowledged {acked[side]:>9,}  "
                f"{'OK' if lost_ok else 'MISMATCH'}{note}"
            )
            figures.setdefault("durability", {})[side] = {
                "stored": stored,
                "acknowledged": acked[side],
                "ok": lost_ok,
            }
            if not lost_ok:
                status = 2
        if args.json:
            args.json.write_text(json.dumps(figures, indent=2))
        if args.strict and status == 0 and not all(figures.get("targets_met", {}).values()):
            status = 3
    except (RuntimeError, subprocess.TimeoutExpired, psycopg.Error) as exc:
        print(f"bench failed: {exc}", file=sys.stderr)
        status = 1
    finally:
        for server in servers.values():
            server.stop()
        if not args.keep_db:
            try:
                drop_database(url)
            except psycopg.Error as exc:
                print(f"could not drop the bench database: {exc}", file=sys.stderr)
        print(f"\nDone in {time.monotonic() - started:.0f} s (server logs: {log_dir}).")
    return status


if __name__ == "__main__":
    sys.exit(main())
