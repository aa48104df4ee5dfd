from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder

from journeys.run.privacy import ContactNotFound, contact_export


class Command(BaseCommand):
    help = "Print everything Stepwise holds about a person as JSON (privacy request). Audited."

    def add_arguments(self, parser):
        parser.add_argument("user_id")

    def handle(self, *args, user_id: str, **options):
        try:
            document = contact_export(user_id=user_id, actor_label="manage.py export_contact")
        except ContactNotFound as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(json.dumps(document, cls=DjangoJSONEncoder, indent=2, ensure_ascii=False))
