"""`manage.py export_journey KEY [--published N]`: print a journey as JSON."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from journeys.run.journeys import journey_export


class Command(BaseCommand):
    help = "Print a journey's draft (or a published version) as stepwise.journey/1 JSON."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key")
        parser.add_argument(
            "--published", type=int, metavar="N", help="Export published version N."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            document = journey_export(key=options["key"], version=options["published"])
        except KeyError as exc:
            raise CommandError(exc.args[0]) from None
        self.stdout.write(json.dumps(document, indent=2, ensure_ascii=False))
