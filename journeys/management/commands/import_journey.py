"""`manage.py import_journey FILE [--publish]`: create or update a journey from JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from journeys.core.problems import SpecError
from journeys.run.journeys import JourneyStateError, journey_import


class Command(BaseCommand):
    help = 'Import a "stepwise.journey/1" JSON file as the journey\'s draft (and publish it).'

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Path to the JSON file, or - for standard input.")
        parser.add_argument("--publish", action="store_true", help="Publish it as a new version.")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["file"]
        try:
            stdin = getattr(self, "stdin", sys.stdin)  # call_command(stdin=...) sets it
            text = stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"Cannot read {name}: {exc.strerror}.") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(f"{name} is not JSON: {exc}") from None
        try:
            journey = journey_import(data=data, publish=options["publish"])
        except SpecError as exc:
            lines = "\n".join(f"  - {problem}" for problem in exc.problems)
            raise CommandError(f"{name} is not a valid journey:\n{lines}") from None
        except JourneyStateError as exc:
            raise CommandError(str(exc)) from None
        version = journey.current_version
        published = f", live version v{version.number}" if version else ", not published"
        self.stdout.write(f'Imported "{journey.key}" ({journey.status}{published}).')
