"""Run all three django-q2 clusters on this host: events, wake-ups, deliveries.

One command for one-host setups (the demo, small installs). On one host the clusters share
its cores, so every cluster but the events one runs `Q_BACKGROUND_NICE` (5) lower: a
wake-up wave or a delivery backlog then takes the CPU the bot's answers leave, not the
other way round. At scale, run
`Q_CLUSTER_NAME=<cluster> manage.py qcluster` per cluster on as many hosts as each needs
(docs/deploy.md)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from types import FrameType

from django.conf import settings
from django.core.management.base import BaseCommand

RESTART_DELAY_SECONDS = 1.0


class Command(BaseCommand):
    help = "Run the events, wake-ups and delivery worker clusters (restarting any that dies)."

    def handle(self, *args: object, **options: object) -> None:
        children = {name: _start(name) for name in settings.Q_CLUSTERS}
        stopping = False

        def stop(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        while not stopping:
            time.sleep(0.5)
            for name, child in children.items():
                if child.poll() is not None and not stopping:
                    self.stderr.write(
                        f"worker cluster {name} exited ({child.returncode}); restarting"
                    )
                    time.sleep(RESTART_DELAY_SECONDS)
                    children[name] = _start(name)
        for child in children.values():
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 30
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()


def _start(cluster: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "Q_CLUSTER_NAME": cluster}
    command = [sys.executable, str(settings.BASE_DIR / "manage.py"), "qcluster"]
    niceness = cluster_niceness(cluster)
    return subprocess.Popen(  # noqa: S603 - our own manage.py
        command, env=env, preexec_fn=(lambda: os.nice(niceness)) if niceness else None
    )


def cluster_niceness(cluster: str) -> int:
    """How much lower than this command a cluster runs: the events cluster (the bot's
    answers) at the same priority, throughput work below it."""
    return 0 if cluster == settings.Q_EVENTS_CLUSTER else int(settings.Q_BACKGROUND_NICE)
