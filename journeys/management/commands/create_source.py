from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from journeys.people.sources import source_create


class Command(BaseCommand):
    help = "Create a source (a product app) and print its write key on the last line."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--origin",
            action="append",
            default=[],
            help="A browser origin allowed to send events (repeatable).",
        )

    def handle(self, *args, name: str, origin: list[str], **options):
        try:
            source, key = source_create(name=name, allowed_origins=origin)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created source {source.name!r} (key prefix {source.key_prefix}).")
        self.stdout.write("Write key (shown once; store it now):")
        self.stdout.write(key)
