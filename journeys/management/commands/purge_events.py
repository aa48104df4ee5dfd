"""`manage.py purge_events`: delete raw events and decision traces past their retention."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from channels.delivery.retention import provider_events_purge
from journeys.run.retention import retention_purge


class Command(BaseCommand):
    help = (
        "Delete processed events older than EVENT_RETENTION_DAYS and decision traces older "
        "than TRACE_RETENTION_DAYS, and provider webhook events older than "
        "PROVIDER_EVENT_RETENTION_DAYS. Enrollments, step visits and the catalogue are kept."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--event-days", type=int, help="Override EVENT_RETENTION_DAYS.")
        parser.add_argument("--trace-days", type=int, help="Override TRACE_RETENTION_DAYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        result = retention_purge(
            now=timezone.now(), event_days=options["event_days"], trace_days=options["trace_days"]
        )
        events_before = f"{result.events_before:%Y-%m-%d %H:%M} UTC"
        traces_before = f"{result.traces_before:%Y-%m-%d %H:%M} UTC"
        provider_events = provider_events_purge(now=timezone.now())
        self.stdout.write(
            f"Purged {result.events} events received before {events_before}, "
            f"{result.traces} traces before {traces_before} "
            f"and {provider_events} provider webhook events already applied."
        )
