"""Report benchmark on PostgreSQL: one 20-step journey, 1,000,000 enrollments and
10,000,000 step visits, the report pages timed while events keep arriving.

    .venv/bin/python bench/report.py [--enrollments 1000000] [--rounds 30] [--keep-db]

1. creates BENCH_REPORT_DATABASE_URL (default
   postgres://postgres@127.0.0.1:5432/stepwise_bench_reports), migrates it, publishes a
   20-step journey (an A/B message, 18 waits, the end);
2. seeds in SQL (generate_series, INSERT … SELECT): contacts, enrollments spread over a
   year of entry days, ten visits per enrollment on average, assignments, conversions,
   and the report counters aggregated from those rows (what the worker keeps);
3. starts a feeder process that stores events as the API does and runs the real worker
   (new sign-ups enter, conversions arrive) for the whole measurement;
4. times, in this process through Django's full request stack (server time, no network):
   the report page, the page broken down by a contact trait and by a property of the
   trigger event (issue 21: the first request, which queues the work; the worker's task
   that works the snapshot out, run here; then the page reading the snapshot), the weekly
   cohort table's CSV and a drop-off CSV of 100,000+ rows;
5. stops the feeder, lets the worker drain, and checks the report's figures equal a
   recount from the raw rows (entrants, conversions, reached and waiting per step).
"""

# ruff: noqa: E501 - a benchmark script: long SQL and report lines read better whole
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/stepwise_bench_reports"
TARGETS = {"page": 0.300, "cohorts": 0.500, "csv": 5.0}
STEPS = 20


def journey_doc() -> dict:
    steps: list[dict] = [
        {"id": "welcome", "type": "message", "channel": "email", "variants": [
            {"name": "A", "weight": 1, "subject": "Welcome", "body": "Hi"},
            {"name": "B", "weight": 1, "subject": "Welcome aboard", "body": "Hello"}]},
    ]  # fmt: skip
    for k in range(1, STEPS - 1):
        steps.append({"id": f"wait_{k}", "type": "wait_for_event", "event": f"Did {k}",
                      "timeout": "P30D"})  # fmt: skip
    steps.append({"id": "end", "type": "exit"})
    return {
        "format": "stepwise.journey/1", "key": "bench", "name": "Bench onboarding",
        "trigger": {"event": "Signed Up"}, "goal": {"event": "Converted"},
        "reentry": "never", "steps": steps,
    }  # fmt: skip


def admin_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/postgres"))


def create_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    assert name
    assert name not in {"postgres", "template0", "template1", "test"}
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    name = urlsplit(url).path.lstrip("/")
    with psycopg.connect(admin_url(url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    sys.path.insert(0, str(ROOT))
    import django  # noqa: PLC0415

    django.setup()


SEED_SQL = """
INSERT INTO journeys_contact (user_id, traits, email, phone, first_name, last_name, timezone,
    locale, groups, source_id, first_seen_at, last_seen_at)
SELECT 'u' || i,
    jsonb_build_object('plan', (ARRAY['free', 'team', 'business', 'pro'])[1 + i % 4],
                       'country', (ARRAY['GB', 'US', 'DE', 'FR', 'IN', 'BR', 'JP', 'ES', 'IT'])[1 + i % 9]),
    'u' || i || '@example.com', '', 'User', i::text, '', '', '{{}}',
    {source}, now(), now()
FROM generate_series(1, {n}) AS i;

CREATE TEMP TABLE seed AS
SELECT c.id AS contact_id, row_number() OVER (ORDER BY c.id) AS i FROM journeys_contact c
WHERE c.user_id LIKE 'u%';

CREATE TEMP TABLE plan AS
SELECT contact_id, i,
    CASE WHEN i % 10 = 0 THEN 10 ELSE 1 + (i % 19) END AS visits,
    now() - ((i % 365) || ' days')::interval - interval '40 days' AS entered,
    (1 + i % 7) * 3600 AS gap
FROM seed;

INSERT INTO journeys_enrollment (contact_id, journey_id, version_id, entry_version_id,
    step_key, state, revision, last_event_data, events_data, trigger_at, trigger_data, step_entered_at,
    visit_count, furthest_position, entered_at, finished_at, updated_at, wake_at)
SELECT p.contact_id, {journey}, {version}, {version}, k.keys[p.visits],
    CASE WHEN p.visits = {steps} THEN 'completed'
         WHEN p.i % 10 = 0 OR p.i % 10 < 8 THEN 'waiting' ELSE 'exited' END,
    p.visits, '{{}}', '{{}}', p.entered,
    jsonb_build_object('device', (ARRAY['web', 'ios', 'android'])[1 + p.i % 3],
                       'language', (ARRAY['en', 'de', 'fr', 'es', 'pt'])[1 + p.i % 5]), p.entered + ((p.visits - 1) * p.gap) * interval '1 second',
    p.visits, p.visits - 1, p.entered,
    CASE WHEN p.visits = {steps} OR NOT (p.i % 10 = 0 OR p.i % 10 < 8)
         THEN p.entered + ((p.visits - 1) * p.gap) * interval '1 second' END,
    now(), NULL
FROM plan p, (SELECT array_agg(key ORDER BY position) AS keys FROM journeys_step
              WHERE version_id = {version}) k;

INSERT INTO journeys_event (source_id, contact_id, type, name, properties, context,
    message_id, timestamp, received_at, processed_at)
SELECT {source}, p.contact_id, 'track', 'Signed Up',
    jsonb_build_object('device', (ARRAY['web', 'ios', 'android'])[1 + p.i % 3],
                       'language', (ARRAY['en', 'de', 'fr', 'es', 'pt'])[1 + p.i % 5]),
    '{{}}', 'seed-' || p.i, p.entered, p.entered, p.entered
FROM plan p;

CREATE TEMP TABLE enr AS
SELECT e.id, e.entered_at, e.visit_count, e.state, p.gap, p.i
FROM journeys_enrollment e JOIN plan p ON p.contact_id = e.contact_id;

INSERT INTO journeys_stepvisit (enrollment_id, step_id, seq, variant_id, entered_at, left_at,
    outcome)
SELECT e.id, s.ids[g.seq], g.seq, CASE WHEN g.seq = 1 THEN
        CASE WHEN e.i % 2 = 0 THEN {variant_a} ELSE {variant_b} END END,
    e.entered_at + ((g.seq - 1) * e.gap) * interval '1 second',
    CASE WHEN g.seq < e.visit_count OR e.state <> 'waiting'
         THEN e.entered_at + (g.seq * e.gap) * interval '1 second' END,
    CASE WHEN g.seq < e.visit_count THEN 'event' WHEN e.state <> 'waiting' THEN e.state
         ELSE '' END
FROM enr e, generate_series(1, e.visit_count) AS g(seq),
    (SELECT array_agg(id ORDER BY position) AS ids FROM journeys_step
     WHERE version_id = {version}) s;

UPDATE journeys_enrollment e SET current_visit_id = v.id
FROM journeys_stepvisit v
WHERE v.enrollment_id = e.id AND v.seq = e.visit_count AND e.state = 'waiting';

INSERT INTO journeys_assignment (enrollment_id, step_id, arm, holdout, assigned_at)
SELECT e.id, {welcome}, CASE WHEN e.i % 2 = 0 THEN 'A' ELSE 'B' END, false, e.entered_at
FROM enr e;

INSERT INTO journeys_conversion (enrollment_id, journey_id, version_id, event_id,
    converted_at, seconds)
SELECT e.id, {journey}, {version}, NULL,
    e.entered_at + ((e.i % 500) * 600) * interval '1 second', (e.i % 500) * 600
FROM enr e WHERE e.i % 10 < 3 OR (e.i % 2 = 0 AND e.i % 10 = 4);
"""

# The counters as the worker keeps them (journeys/reports/recount.py's rule, in SQL).
COUNTERS_SQL = """
CREATE TEMP TABLE conv AS SELECT enrollment_id, seconds FROM journeys_conversion;
CREATE TEMP TABLE last_visit AS
SELECT v.enrollment_id, v.step_id FROM journeys_stepvisit v JOIN enr e ON e.id = v.enrollment_id
WHERE v.seq = e.visit_count;

INSERT INTO journeys_reportcount (journey_id, version_id, entry_day, step_id, arm, metric, n)
SELECT {journey}, {version}, day, step, arm, metric, sum(n) FROM (
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date AS day, 0 AS step, '' AS arm,
           'entered' AS metric, 1 AS n FROM enr e
    UNION ALL
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date, 0, '', 'converted', 1
    FROM enr e JOIN conv c ON c.enrollment_id = e.id
    UNION ALL
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date, 0, '',
           'ttc:' || CASE WHEN c.seconds < 1 THEN 0
                          ELSE floor(ln(c.seconds) / ln(1.05))::int + 1 END, 1
    FROM enr e JOIN conv c ON c.enrollment_id = e.id
    UNION ALL
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date, {welcome}, a.arm, 'assigned', 1
    FROM enr e JOIN journeys_assignment a ON a.enrollment_id = e.id
    UNION ALL
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date, {welcome}, a.arm, 'converted', 1
    FROM enr e JOIN journeys_assignment a ON a.enrollment_id = e.id
    JOIN conv c ON c.enrollment_id = e.id
    UNION ALL
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date, l.step_id, '', 'ended:' || e.state, 1
    FROM enr e JOIN last_visit l ON l.enrollment_id = e.id WHERE e.state <> 'waiting'
) AS raw GROUP BY day, step, arm, metric;

INSERT INTO journeys_reportcount (journey_id, version_id, entry_day, step_id, arm, metric, n)
SELECT {journey}, {version}, day, step, '', metric, sum(n) FROM (
    SELECT (e.entered_at AT TIME ZONE 'UTC')::date AS day, v.step_id AS step,
        unnest(ARRAY['reached', 'visits']
               || CASE WHEN v.left_at IS NULL THEN ARRAY['waiting'] ELSE ARRAY[]::text[] END
               || CASE WHEN v.seq < e.visit_count
                       THEN ARRAY['gap:' || (floor(ln(e.gap) / ln(1.05))::int + 1)]
                       ELSE ARRAY[]::text[] END) AS metric,
        1 AS n
    FROM journeys_stepvisit v JOIN enr e ON e.id = v.enrollment_id
) AS raw GROUP BY day, step, metric;
ANALYZE;
"""


def seed(n: int) -> dict:
    from django.db import connection  # noqa: PLC0415

    from journeys.models import MessageVariant, Step  # noqa: PLC0415
    from journeys.people.sources import source_create  # noqa: PLC0415
    from journeys.run.journeys import journey_import  # noqa: PLC0415

    source, key = source_create(name="Bench product")
    journey = journey_import(data=journey_doc(), publish=True)
    version = journey.current_version_id
    welcome = Step.objects.get(version_id=version, key="welcome").pk
    variants = dict(MessageVariant.objects.filter(step_id=welcome).values_list("name", "pk"))
    values = {"source": source.pk, "n": n, "journey": journey.pk, "version": version,
              "steps": STEPS, "welcome": welcome, "variant_a": variants["A"],
              "variant_b": variants["B"]}  # fmt: skip
    started = time.monotonic()
    with connection.cursor() as cursor:
        for sql_text in (SEED_SQL, COUNTERS_SQL):
            for statement in sql_text.format(**values).split(";\n"):
                if statement.strip():
                    cursor.execute(statement)
        cursor.execute("SELECT count(*) FROM journeys_stepvisit")
        visits = cursor.fetchone()[0]
    print(
        f"seeded {n:,} enrollments and {visits:,} step visits in {time.monotonic() - started:.0f} s"
    )
    return {"journey": journey, "source": source, "key": key}


def feeder(url: str, seconds: float) -> None:
    """Store events as the API does and run the real worker, until time is up."""
    setup_django(url)
    from django.utils import timezone  # noqa: PLC0415

    from journeys.models import Contact, Event, Source  # noqa: PLC0415
    from journeys.tasks import process_pending_events  # noqa: PLC0415

    source = Source.objects.get(name="Bench product")
    deadline = time.monotonic() + seconds
    round_ = 0
    run = os.getpid()
    while time.monotonic() < deadline:
        round_ += 1
        now = timezone.now()
        contacts = Contact.objects.bulk_create(
            [Contact(user_id=f"f{run}-{round_}-{i}", email=f"f{round_}-{i}@example.com", source=source,
                     first_seen_at=now, last_seen_at=now) for i in range(20)]
        )  # fmt: skip
        events = [Event(source=source, contact=c, name="Signed Up", message_id=f"s{c.pk}",
                        timestamp=now, received_at=now) for c in contacts]  # fmt: skip
        events += [Event(source=source, contact=c, name="Converted", message_id=f"c{c.pk}",
                         timestamp=now, received_at=now) for c in contacts[:5]]  # fmt: skip
        Event.objects.bulk_create(events)
        process_pending_events(linger=0)
        time.sleep(0.2)
    process_pending_events(linger=0)


def timed(client, path: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        started = time.perf_counter()
        response = client.get(path)
        if response.streaming:
            rows = sum(chunk.count(b"\n") for chunk in response.streaming_content)
        else:
            rows = response.content.count(b"\n")
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, (path, response.status_code)
    timed.rows = rows  # type: ignore[attr-defined]
    return times


def breakdown_first(client, path: str) -> tuple[float, float]:  # noqa: ANN001
    """The first request of a breakdown (queues the work) and the worker's task, timed."""
    from journeys.models import BreakdownSnapshot  # noqa: PLC0415
    from journeys.reports.snapshots import breakdown_compute  # noqa: PLC0415

    started = time.perf_counter()
    response = client.get(path)
    first = time.perf_counter() - started
    assert b"Working out these figures" in response.content, path
    by = path.split("by=")[1]
    snapshot = BreakdownSnapshot.objects.get(by=by)
    started = time.perf_counter()
    breakdown_compute(snapshot.pk)
    return first, time.perf_counter() - started


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def recount_check(journey) -> list[str]:  # noqa: ANN001
    """The report's figures against a count from the raw rows."""
    from django.db import connection  # noqa: PLC0415

    from journeys.reports.reading import journey_report  # noqa: PLC0415
    from journeys.reports.report import report_json  # noqa: PLC0415
    from journeys.reports.selectors import Filter  # noqa: PLC0415

    data = report_json(journey_report(journey, Filter()))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM journeys_enrollment WHERE journey_id = %s", [journey.pk]
        )
        entered = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM journeys_conversion WHERE journey_id = %s", [journey.pk]
        )
        converted = cursor.fetchone()[0]
        cursor.execute(
            "SELECT s.key, count(DISTINCT v.enrollment_id), count(*) FILTER (WHERE v.left_at IS NULL) "
            "FROM journeys_stepvisit v JOIN journeys_step s ON s.id = v.step_id "
            "WHERE s.version_id IN (SELECT id FROM journeys_journeyversion WHERE journey_id = %s) "
            "GROUP BY s.key",
            [journey.pk],
        )
        steps = {key: (reached, waiting) for key, reached, waiting in cursor.fetchall()}
    problems = []
    if (data["entered"], data["converted"]) != (entered, converted):
        problems.append(
            f"entered/converted {data['entered']}/{data['converted']} != {entered}/{converted}"
        )
    for step in data["steps"]:
        if (step["reached"], step["waiting"]) != steps.get(step["id"], (0, 0)):
            problems.append(
                f"{step['id']}: {step['reached']}/{step['waiting']} != {steps.get(step['id'])}"
            )
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--enrollments", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--keep-db", action="store_true")
    parser.add_argument("--reuse-db", action="store_true", help="time a database kept before")
    parser.add_argument("--feeder", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()
    url = os.environ.get("BENCH_REPORT_DATABASE_URL", DEFAULT_URL)
    if args.feeder is not None:
        feeder(url, args.feeder)
        return
    if not args.reuse_db:
        create_database(url)
    setup_django(url)
    from django.contrib.auth.models import User  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from journeys.models import Journey  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    if args.reuse_db:
        journey = Journey.objects.get(key="bench")
        user = User.objects.get(username="bench")
    else:
        journey = seed(args.enrollments)["journey"]
        user = User.objects.create_superuser("bench", "bench@example.com", "x")
    client = Client()
    client.force_login(user)
    base = f"/admin/reports/{journey.key}/"
    from journeys.models import BreakdownSnapshot  # noqa: PLC0415

    BreakdownSnapshot.objects.all().delete()  # --reuse-db: start from no snapshot
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    timed(client, base, 2)  # warm caches (versions, templates)
    feed = subprocess.Popen([sys.executable, __file__, "--feeder", "600"], env=os.environ.copy())
    time.sleep(3)
    assert feed.poll() is None, "the feeder stopped"
    try:
        page = timed(client, base, args.rounds)
        first = {name: breakdown_first(client, base + "?by=" + name)
                 for name in ("trait:plan", "event:device")}  # fmt: skip
        by_trait = timed(client, base + "?by=trait:plan", args.rounds)
        by_event = timed(client, base + "?by=event:device", args.rounds)
        cohorts = timed(client, base + "cohorts.csv", args.rounds)
        csv_times = timed(client, base + "steps/wait_9/contacts.csv?which=waiting", 5)
        csv_rows = timed.rows - 1  # type: ignore[attr-defined]
        assert feed.poll() is None, "the feeder stopped during the measurement"
    finally:
        feed.terminate()
        feed.wait(timeout=60)
    subprocess.run([sys.executable, __file__, "--feeder", "0"], env=os.environ.copy(), check=True)
    problems = recount_check(journey)
    print(f"report page      p50 {p(page, 0.5) * 1000:6.0f} ms  p95 {p(page, 0.95) * 1000:6.0f} ms  "
          f"(target p95 <= {TARGETS['page'] * 1000:.0f} ms)")  # fmt: skip
    for name, values, (asked, worked) in (("by a trait", by_trait, first["trait:plan"]),
                                          ("by a trigger property", by_event, first["event:device"])):  # fmt: skip
        print(f"page broken down {name}: p50 {p(values, 0.5) * 1000:6.0f} ms  p95 {p(values, 0.95) * 1000:6.0f} ms  "
              f"({p(values, 0.95) / p(page, 0.95):.2f}x the page's p95; target p95 <= {TARGETS['page'] * 1000:.0f} ms)")  # fmt: skip
        print(f"  first request (queues the work) {asked * 1000:.0f} ms; the worker's task {worked:.1f} s "
              f"({worked / p(values, 0.95):.0f}x the page's p95: what the page cost when it read raw rows)")  # fmt: skip
    print(f"cohort table CSV p50 {p(cohorts, 0.5) * 1000:6.0f} ms  p95 {p(cohorts, 0.95) * 1000:6.0f} ms  "
          f"(target <= {TARGETS['cohorts'] * 1000:.0f} ms)")  # fmt: skip
    print(f"drop-off CSV     {csv_rows:,} rows: p50 {p(csv_times, 0.5):.2f} s  p95 {p(csv_times, 0.95):.2f} s  "
          f"(target <= {TARGETS['csv']:.0f} s)")  # fmt: skip
    print(f"load average after: {os.getloadavg()[0]:.1f}")
    print(
        "figures exact after the events: "
        + ("yes" if not problems else "NO: " + "; ".join(problems))
    )
    from django.db import connections  # noqa: PLC0415

    connections.close_all()
    if not (args.keep_db or args.reuse_db):  # a database kept to be reused stays kept
        drop_database(url)


if __name__ == "__main__":
    main()
