"""Server time per builder request kind, for journeys of 50 and 250 steps: p50 and p95.

Drives the real views in-process with Django's test client (signed in as a journey
editor): open the canvas, save a step (a message's editor, with the draft revision),
preview a message, the validation panel, and the publish confirmation. The journeys are
welcome-style chains of emails, waits for events with a time limit and branches, laid out
with lanes like a real journey. Usage:

    .venv/bin/python bench/builder.py [--rounds 30] [--sizes 50,250]

Uses a throwaway SQLite database unless DATABASE_URL is set (it migrates that database).
Targets (issue 8): p95 ≤ 100 ms for saves, previews and validation at 50 steps; opening
the canvas ≤ 300 ms at 250 steps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def document(size: int) -> dict[str, Any]:
    """A journey of `size` steps: email, wait (with a nudge path), branch, ... in a chain."""
    steps: list[dict[str, Any]] = []
    index = 0
    while len(steps) < size:
        base = f"S{index}"
        nxt = f"S{index + 1}_email"
        steps.append(
            {
                "id": f"{base}_email",
                "type": "message",
                "channel": "email",
                "variants": [
                    {
                        "name": "A",
                        "weight": 1,
                        "subject": "Hi {{ contact.first_name }}",
                        "body": "Step {{ journey.name }}: **do the next thing**.",
                    },
                    {
                        "name": "B",
                        "weight": 1,
                        "subject": "Hello {{ contact.first_name }}",
                        "body": "Another way to say it.",
                    },
                ],
            }
        )
        steps.append(
            {
                "id": f"{base}_wait",
                "type": "wait_for_event",
                "event": "Created Note",
                "timeout": "P2D",
                "on_timeout": f"{base}_check",
            }
        )
        steps.append(
            {
                "id": f"{base}_check",
                "type": "branch",
                "conditions": [{"trait": "phone", "op": "exists"}],
                "then": f"{base}_sms",
                "else": nxt,
            }
        )
        steps.append(
            {
                "id": f"{base}_sms",
                "type": "message",
                "channel": "sms",
                "variants": [
                    {"name": "A", "weight": 1, "body": "Stuck, {{ contact.first_name }}?"}
                ],
                "next": nxt,
            }
        )
        index += 1
    steps = steps[:size]
    ids = {step["id"] for step in steps}
    for step in steps:  # the last links point past the end: end the journey there instead
        for key in ("next", "then", "else", "on_timeout"):
            if step.get(key) and step[key] not in ids:
                step.pop(key)
    return {
        "format": "stepwise.journey/1",
        "key": f"bench-{size}",
        "name": f"Bench {size}",
        "trigger": {
            "event": "Signed Up",
            "where": [{"property": "plan", "op": "eq", "value": "free"}],
        },
        "steps": steps,
    }


def timed(call: Any, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = call()
        times.append((time.perf_counter() - start) * 1000)
        assert response.status_code < 400, (response.status_code, response.content[:300])
    return times


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--sizes", default="50,250")
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="stepwise-bench-")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "onboarding.settings",
            "SECRET_KEY": "bench-only",
            "STEPWISE_VAR_DIR": tmp,
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
            "DEBUG": "0",
        }
    )
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tmp}/bench.sqlite3")
    run(args.rounds, [int(size) for size in args.sizes.split(",")])


def run(rounds: int, sizes: list[int]) -> None:
    import django  # noqa: PLC0415 - settings must be chosen first

    django.setup()
    from django.contrib.auth.models import Group, User  # noqa: PLC0415
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from journeys.builder.drafts import journey_create  # noqa: PLC0415
    from journeys.models import Journey  # noqa: PLC0415

    call_command("migrate", verbosity=0)
    user, _ = User.objects.get_or_create(
        username="bench-editor", defaults={"is_staff": True, "email": "bench@example.com"}
    )
    user.groups.add(Group.objects.get(name="Journey editors"))
    client = Client()
    client.force_login(user)
    print(f"builder requests, in-process, {rounds} rounds each; milliseconds")
    print(f"{'steps':>5}  {'request':<22} {'p50':>7} {'p95':>7}")
    for size in sizes:
        data = document(size)
        Journey.objects.filter(key=data["key"]).delete()
        journey = journey_create(name=data["name"], by=user, document=data, key=data["key"])
        base = f"/admin/builder/{journey.key}/"
        step = data["steps"][0]["id"]

        def save(journey: Journey = journey, step: str = step, base: str = base) -> Any:
            journey.refresh_from_db(fields=["draft_revision"])
            saves = save.count = getattr(save, "count", 0) + 1  # type: ignore[attr-defined]
            form = {
                "revision": str(journey.draft_revision),
                "name": step.replace("_", " "),
                "channel": "email",
                "variant-TOTAL_FORMS": "2",
                "variant-INITIAL_FORMS": "2",
                "variant-0-name": "A",
                "variant-0-weight": "1",
                "variant-0-subject": f"Hi {{{{ contact.first_name }}}} ({saves})",
                "variant-0-body": "Step {{ journey.name }}: **do the next thing**.",
                "variant-1-name": "B",
                "variant-1-weight": "1",
                "variant-1-subject": "Hello {{ contact.first_name }}",
                "variant-1-body": "Another way to say it.",
            }
            return client.post(f"{base}steps/{step}/", form, HTTP_HX_REQUEST="true")

        kinds = {
            "open canvas": lambda base=base: client.get(base),
            "save a step": save,
            "preview": lambda base=base, step=step: client.get(
                f"{base}steps/{step}/preview/", HTTP_HX_REQUEST="true"
            ),
            "validate": lambda base=base: client.get(f"{base}checks/", HTTP_HX_REQUEST="true"),
            "publish confirmation": lambda base=base: client.get(f"{base}publish/"),
        }
        for name, call in kinds.items():
            call()  # warm up (template compilation, caches)
            times = timed(call, rounds)
            print(f"{size:>5}  {name:<22} {statistics.median(times):>7.1f} {p95(times):>7.1f}")


if __name__ == "__main__":
    main()
