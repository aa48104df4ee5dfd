"""`manage.py qcluster`: django-q2's command, made safe for Stepwise's three clusters.

django-q2 runs the cluster named by Q_CLUSTER_NAME (or --name), else the one Q_CLUSTER
names: for Stepwise that is the delivery cluster alone, so new events and due timers would
wait with nothing to say so. Here, with no name, it runs every cluster, as `manage.py
workers` does (a one-process install); a name that is none of this deployment's clusters
is refused. With a name it is django-q2's own command, unchanged (docs/deploy.md)."""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django_q.management.commands.qcluster import Command as QCluster


class Command(QCluster):
    help = (
        "Run a django-q2 worker cluster: the one named by Q_CLUSTER_NAME (or --name), or, "
        "with no name, every Stepwise cluster (events, timers, delivery) as `manage.py "
        "workers` does."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        name = options.get("cluster_name") or os.environ.get("Q_CLUSTER_NAME") or None
        clusters = settings.Q_CLUSTERS
        if name is None and len(set(clusters)) > 1:
            if options.get("run_once"):
                raise CommandError(_named("--run-once runs one cluster: name it", clusters))
            self.stdout.write(
                "No Q_CLUSTER_NAME: running every worker cluster (events, timers, delivery) "
                "on this host, as `manage.py workers` does."
            )
            call_command("workers")
            return
        if name is not None and name not in clusters:
            raise CommandError(
                _named(f"{name!r} is not one of this deployment's worker clusters", clusters)
            )
        super().handle(*args, **options)


def _named(problem: str, clusters: tuple[str, ...]) -> str:
    choices = ", ".join(clusters)
    return (
        f"{problem} (Q_CLUSTER_NAME={choices.replace(', ', ' or ')}; they follow Q_PREFIX="
        f"{settings.Q_PREFIX}). Or run `manage.py workers` for all of them on this host."
    )
