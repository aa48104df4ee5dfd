"""The issue's example journey under `make demo`: the real demo process (web server and
qcluster worker), real events from Segment's SDK, real messages."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import requests
from segment.analytics import Client

from journeys.people.identity import user_hash
from onboarding.ports import free_port
from tests.demo_process import running_demo

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def demo(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    with running_demo(tmp_path, port):
        _wait_until(lambda: requests.get(f"{url}/v1/openapi.json", timeout=2).ok)
        yield url, (tmp_path / "demo_write_key").read_text().strip(), tmp_path / "demo.log"


def _wait_until(check, timeout: float = 150.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            result = check()
        except requests.RequestException:
            result = None
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.3)


def test_welcome_journey_runs_under_the_demo_worker(demo):
    url, key, log = demo
    analytics = Client(key, host=url, sync_mode=True, max_retries=0)
    secret = (log.parent / "demo_identity_secret").read_text().strip()

    analytics.identify("lin", {"email": "lin@example.com", "firstName": "Lin"})
    analytics.track("lin", "Signed Up", {"plan": "free"})
    _wait_until(lambda: "Subject: Hi Lin" in log.read_text())
    analytics.track("lin", "Uploaded File", {"filename": "roadmap.pdf"})

    def inbox():
        answer = requests.get(
            f"{url}/v1/contacts/lin/messages",
            auth=(key, ""),
            headers={"X-Stepwise-User-Hash": user_hash(secret, "lin")},
            timeout=5,
        )
        return answer.json()["messages"] if answer.ok and answer.json()["messages"] else None

    messages = _wait_until(inbox)
    assert [m["text"] for m in messages] == ["Nice: roadmap.pdf"]
    server_key = (log.parent / "demo_secret_key").read_text().strip()
    profile = requests.get(
        f"{url}/v1/contacts/lin", headers={"Authorization": f"Bearer {server_key}"}, timeout=5
    ).json()
    assert [(e["journey"], e["state"]) for e in profile["enrollments"]] == [
        ("welcome", "completed")
    ]
