"""Print a journey's report as JSON (every figure) or one table as CSV, for scripts and BI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from journeys.reports.downloads import sheet_csv
from journeys.reports.reading import journey_report
from journeys.reports.report import report_json
from journeys.reports.selectors import Filter, report_journey, report_versions
from journeys.reports.sheets import SHEETS


class Command(BaseCommand):
    help = "Print a journey's funnel report: JSON (all figures) or a table as CSV."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs: Any) -> CommandParser:
        # Our --version is the journey's version; Django's own (its release) gives way.
        return super().create_parser(prog_name, subcommand, conflict_handler="resolve", **kwargs)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", help="The journey's key.")
        parser.add_argument("--version", type=int, help="One version (default: all).")
        parser.add_argument("--since", help="First entry day, YYYY-MM-DD.")
        parser.add_argument("--until", help="Last entry day, YYYY-MM-DD.")
        parser.add_argument("--format", choices=["json", "csv"], default="json")
        parser.add_argument("--table", choices=sorted(SHEETS), default="funnel", help="For CSV.")

    def handle(self, *args: Any, **options: Any) -> None:
        journey = report_journey(options["key"])
        if journey is None or journey.current_version_id is None:
            raise CommandError(f'No published journey with key "{options["key"]}".')
        version = options["version"]
        if version is not None and version not in report_versions(journey):
            raise CommandError(f'Journey "{journey.key}" has no version {version}.')
        report = journey_report(
            journey,
            Filter(version, _day(options["since"], "--since"), _day(options["until"], "--until")),
        )
        if options["format"] == "csv":
            self.stdout.write(sheet_csv(SHEETS[options["table"]](report)), ending="")
            return
        self.stdout.write(json.dumps(report_json(report), indent=2))


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"{option} must be a day like 2026-12-01, not {text!r}.") from exc
