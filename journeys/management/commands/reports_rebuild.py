"""Rebuild the report counters from the raw rows (history written before the counters
existed, or after restoring a backup). Run while the worker is stopped."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from journeys.models import Journey, ReportCount
from journeys.reports.recount import recount
from journeys.run.rollups import rollups_add


class Command(BaseCommand):
    help = "Recount every report counter from enrollments, visits, assignments and conversions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("keys", nargs="*", help="Journey keys (default: every journey).")

    def handle(self, *args: Any, **options: Any) -> None:
        journeys = Journey.objects.all()
        if options["keys"]:
            journeys = journeys.filter(key__in=options["keys"])
        ids = list(journeys.values_list("pk", flat=True))
        with transaction.atomic():
            ReportCount.objects.filter(journey_id__in=ids).delete()
            counts = recount(journey_ids=ids)
            rollups_add(Counter(counts))
        self.stdout.write(f"Rebuilt {len(counts)} counters for {len(ids)} journey(s).")
