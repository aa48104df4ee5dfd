from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from journeys.people.secret_keys import secret_key_create


class Command(BaseCommand):
    help = (
        "Create a secret server key (reads, exports and erases contacts) and print it alone "
        "on the last line. It is stored hashed: copy it now."
    )

    def add_arguments(self, parser):
        parser.add_argument("name", help="Who will use it, e.g. 'CRM sync'.")

    def handle(self, *args, name: str, **options):
        try:
            record, key = secret_key_create(name=name, actor_label="manage.py create_secret_key")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Created secret key {record.name!r} (prefix {record.key_prefix}).")
        self.stdout.write("Send it as 'Authorization: Bearer <key>' from your servers only.")
        self.stdout.write("Secret key (shown once; store it now):")
        self.stdout.write(key)
