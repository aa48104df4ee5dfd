"""The embedded default under real traffic: `make demo` (runserver + qcluster on one SQLite
file) while several clients send identify, track and batch calls at once."""

from __future__ import annotations

import sqlite3
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest
import requests

from onboarding.ports import free_port
from tests.demo_process import running_demo

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 4
CONTACTS_PER_CLIENT = 6
pytestmark = pytest.mark.timeout(240)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The real demo process (web server and worker) on a fresh SQLite file."""
    tmp_path = tmp_path_factory.mktemp("demo")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running_demo(tmp_path, port, Q_PREFIX=f"ops-sqlite-{uuid.uuid4().hex[:8]}"):
        _wait_until(lambda: requests.get(f"{url}/v1/openapi.json", timeout=2).ok, 150)
        key = (tmp_path / "demo_write_key").read_text().strip()
        yield url, key, tmp_path / "stepwise.sqlite3", tmp_path / "demo.log"


def _wait_until(check, timeout: float):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except (requests.RequestException, sqlite3.OperationalError):
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.3)


def _client_traffic(url: str, key: str, client: int, answers: list, acknowledged: list) -> None:
    """One product server: for each new user, identify, sign up, then a burst of activity."""
    session = requests.Session()
    session.auth = (key, "")

    def send(path: str, body: dict, message_ids: list[str]) -> None:
        answer = session.post(f"{url}/v1/{path}", json=body, timeout=60)
        answers.append((path, answer.status_code, answer.text[:200]))
        if answer.status_code == 200:
            acknowledged.extend(message_ids)

    for n in range(CONTACTS_PER_CLIENT):
        user = f"c{client}-u{n}"
        ids = [f"{user}-{i}" for i in range(12)]
        traits = {"email": f"{user}@example.com", "firstName": f"User{client}x{n}"}
        send("identify", {"userId": user, "traits": traits, "messageId": ids[0]}, ids[:1])
        send(
            "track",
            {
                "userId": user,
                "event": "Signed Up",
                "properties": {"plan": "free"},
                "messageId": ids[1],
            },
            ids[1:2],
        )
        for i in (2, 3, 4):
            send(
                "track",
                {"userId": user, "event": "Viewed Page", "messageId": ids[i]},
                ids[i : i + 1],
            )
        batch = [
            {"type": "track", "userId": user, "event": "Clicked", "messageId": mid}
            for mid in ids[5:11]
        ] + [{"type": "identify", "userId": user, "traits": {"plan": "free"}, "messageId": ids[11]}]
        send("batch", {"batch": batch}, ids[5:12])


def _rows(database: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def test_concurrent_clients_with_the_worker_running_get_200_and_each_contact_one_welcome(demo):
    url, key, database, log = demo
    answers: list[tuple[str, int, str]] = []
    acknowledged: list[str] = []
    threads = [
        threading.Thread(target=_client_traffic, args=(url, key, c, answers, acknowledged))
        for c in range(CLIENTS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert [a for a in answers if a[1] != 200] == []
    assert len(answers) == CLIENTS * CONTACTS_PER_CLIENT * 6
    stored = {mid for (mid,) in _rows(database, "SELECT message_id FROM journeys_event")}
    assert set(acknowledged) - stored == set()
    assert len(acknowledged) == CLIENTS * CONTACTS_PER_CLIENT * 12

    def all_processed() -> bool:
        [(left,)] = _rows(
            database, "SELECT count(*) FROM journeys_event WHERE processed_at IS NULL"
        )
        sent = log.read_text().count("Subject: Hi User")
        return left == 0 and sent >= CLIENTS * CONTACTS_PER_CLIENT

    _wait_until(all_processed, 120)
    welcomes = Counter(
        line.removeprefix("Subject: Hi ").strip()
        for line in log.read_text().splitlines()
        if line.startswith("Subject: Hi User")
    )
    expected = {f"User{c}x{n}": 1 for c in range(CLIENTS) for n in range(CONTACTS_PER_CLIENT)}
    assert welcomes == expected
    messages = _rows(
        database,
        "SELECT c.user_id, count(*) FROM channels_message m JOIN journeys_contact c"
        " ON m.contact_id = c.id WHERE m.channel = 'email' AND c.user_id LIKE 'c%-u%'"
        " GROUP BY c.user_id",
    )
    assert dict(messages) == {
        f"c{c}-u{n}": 1 for c in range(CLIENTS) for n in range(CONTACTS_PER_CLIENT)
    }


def test_a_request_waits_for_a_held_write_lock_instead_of_failing(demo):
    url, key, database, _ = demo
    holder = sqlite3.connect(database, isolation_level=None, timeout=30)
    holder.execute("BEGIN IMMEDIATE")
    answers = []

    def track() -> None:
        started = time.monotonic()
        body = {"userId": "patient", "event": "Waited", "messageId": "patient-1"}
        answer = requests.post(f"{url}/v1/track", json=body, auth=(key, ""), timeout=60)
        answers.append((answer.status_code, time.monotonic() - started))

    thread = threading.Thread(target=track)
    thread.start()
    time.sleep(3)
    holder.execute("COMMIT")
    holder.close()
    thread.join()

    [(status, waited)] = answers
    assert status == 200
    assert waited >= 2.5
    assert _rows(database, "SELECT name FROM journeys_event WHERE message_id = 'patient-1'") == [
        ("Waited",)
    ]
