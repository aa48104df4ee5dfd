from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from journeys.run.privacy import ContactNotFound, contact_erase_by_user_id


class Command(BaseCommand):
    help = (
        "Erase a person (privacy request): events, message contents, traces and anonymous "
        "ids go; anonymous counts and a hashed opt-out stay. Audited."
    )

    def add_arguments(self, parser):
        parser.add_argument("user_id")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, user_id: str, yes: bool, **options):
        if not yes and input(f"Erase everything about {user_id!r}? [y/N] ").lower() != "y":
            raise CommandError("Nothing erased.")
        try:
            removed = contact_erase_by_user_id(
                user_id=user_id, actor_label="manage.py erase_contact"
            )
        except ContactNotFound as exc:
            raise CommandError(str(exc)) from None
        summary = ", ".join(f"{count} {kind}" for kind, count in removed.items())
        self.stdout.write(f"Erased {user_id!r}: {summary}.")
