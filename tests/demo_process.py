"""`make demo` as the tests run it: the real demo process tree, on a fresh SQLite file, and
a stop that leaves nothing behind."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def running_demo(var: Path, port: int, **env: str) -> Iterator[subprocess.Popen[bytes]]:
    """The demo on `port` with its data in `var` (log in var/demo.log), in its own process
    group; stopped with everything it started when the block ends, even if it never came up."""
    environment = {
        **os.environ,
        "STEPWISE_VAR_DIR": str(var),
        "PYTHONUNBUFFERED": "1",
        "DEMO_SAMPLE_TRAFFIC": "0",  # the reports' 600 sample contacts: tested on their own
        **env,
    }
    for name in ("DATABASE_URL", "DJANGO_SETTINGS_MODULE", "REDIS_URL"):
        environment.pop(name, None)
    with (var / "demo.log").open("w") as log:
        process = subprocess.Popen(  # noqa: S603 - our own demo
            [sys.executable, "-m", "onboarding.demo", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            yield process
        finally:
            stop_process_group(process)


def stop_process_group(process: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """SIGTERM to the whole group, then SIGKILL whatever is left in it: django-q's worker
    processes outlive a cluster that was killed, and would poll a deleted database forever."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=timeout)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(timeout=10)
