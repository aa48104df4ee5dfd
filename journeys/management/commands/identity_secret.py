from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from journeys.models import Source
from journeys.people.sources import (
    identity_secret_active,
    identity_secret_retire_old,
    identity_secret_rotate,
)


class Command(BaseCommand):
    help = (
        "Print a source's identity secret (alone on the last line). --rotate makes a new one "
        "while the old keeps working; --retire-old stops the old ones."
    )

    def add_arguments(self, parser):
        parser.add_argument("source_name")
        parser.add_argument("--rotate", action="store_true", help="Make a new secret.")
        parser.add_argument(
            "--retire-old", action="store_true", help="Stop every secret but the newest."
        )

    def handle(self, *args, source_name: str, rotate: bool, retire_old: bool, **options):
        source = _source(source_name)
        label = "manage.py identity_secret"
        if rotate:
            identity_secret_rotate(source=source, actor_label=label)
            self.stdout.write(
                "Rotated: the previous secret keeps working until you run --retire-old."
            )
        if retire_old:
            retired = identity_secret_retire_old(source=source, actor_label=label)
            self.stdout.write(f"Retired {retired} old secret(s).")
        active = source.identity_secrets.filter(retired_at__isnull=True).count()
        if active > 1:
            self.stdout.write(f"{active} secrets are active; hash user ids with the newest:")
        else:
            self.stdout.write(f"Identity secret of {source.name!r}:")
        self.stdout.write(identity_secret_active(source=source).secret)


def _source(name: str) -> Source:
    matches = list(Source.objects.filter(name=name, revoked_at__isnull=True)[:2])
    if not matches:
        raise CommandError(f"No active source named {name!r}.")
    if len(matches) > 1:
        raise CommandError(f"Several active sources are named {name!r}; rename one first.")
    return matches[0]
