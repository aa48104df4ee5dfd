"""`manage.py backtest_journey KEY --days 30`: what a journey would have done on real events."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from journeys.core.problems import SpecError
from journeys.models import Journey
from journeys.run.backtest import backtest, format_backtest
from journeys.run.journeys import journey_parse
from journeys.run.selectors import version_info


class Command(BaseCommand):
    help = (
        "Replay the stored events of the last N days through a journey's draft (or its live "
        "version) and print who would have entered, reached each step, got which messages "
        "per day, and converted. Nothing is sent or stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")
        parser.add_argument("--days", type=int, default=30, help="How far back (default 30).")
        parser.add_argument(
            "--published", action="store_true", help="Use the live version, not the draft."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        journey = Journey.objects.filter(key=options["key"]).first()
        if journey is None:
            raise CommandError(f'No journey with key "{options["key"]}".')
        if options["days"] < 1:
            raise CommandError("--days must be at least 1.")
        if options["published"]:
            if journey.current_version_id is None:
                raise CommandError(f'Journey "{journey.key}" has no published version.')
            spec, source = version_info(journey.current_version_id).spec, "live version"
        else:
            try:
                spec, source = journey_parse(data=journey.draft_spec), "draft"
            except SpecError as exc:
                raise CommandError(f"The draft is not valid:\n{exc}") from None
        until = timezone.now()
        since = until - timedelta(days=options["days"])
        result = backtest(spec, since=since, until=until)
        self.stdout.write(format_backtest(result, spec, source=source))
