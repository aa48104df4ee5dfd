"""Stepwise's side of the demo product, run by `make demo` in Stepwise's process: the Acme
Notes source (a browser source allowed from Acme's origin), its identity secret, its
keyword replies and its onboarding journey. Idempotent."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from journeys.models import Journey, KeywordReply, Source
from journeys.people.sources import hash_key, identity_secret_active, source_create
from journeys.run.journeys import journey_import

SOURCE_NAME = "Acme Notes"
SOURCE_ZONE = "America/Los_Angeles"
JOURNEY = Path(__file__).resolve().parent / "journey.json"
# The ping Nova offers after the first note, sent when a teammate one invited signs up.
PINGS = Path(__file__).resolve().parent / "pings.json"
KEYWORDS = [
    (
        "pricing",
        "Acme Notes is free for teams of up to five; after that it is $4 a person a month.",
        "",
        "",
    ),
    (
        "delete my account",
        "Sorry to see you go! You can delete your account from your settings page.",
        "",
        "",
    ),
]


# "help" and "talk to a human" used to send people to an email address; now anything the
# bot cannot answer reaches the team's inbox, so those requests go there instead.
RETIRED_PHRASES = ["help", "talk to a human"]


@dataclass(frozen=True)
class AcmeSetup:
    url: str
    port: int
    stepwise_url: str
    write_key: str
    identity_secret: str

    def environment(self) -> dict[str, str]:
        """What the Acme process needs to talk to Stepwise."""
        return {
            "ACME_STEPWISE_URL": self.stepwise_url,
            "ACME_WRITE_KEY": self.write_key,
            "ACME_IDENTITY_SECRET": self.identity_secret,
            "ACME_PORT": str(self.port),
        }


def _source(acme_url: str) -> tuple[Source, str]:
    """The Acme source and its write key (kept in var/, since only its hash is stored)."""
    key_file = Path(settings.VAR_DIR) / "acme_write_key"
    if key_file.exists():
        key = key_file.read_text().strip()
        source = Source.objects.filter(key_hash=hash_key(key), revoked_at__isnull=True).first()
        if source is not None:
            if acme_url not in source.allowed_origins:
                source.allowed_origins = [*source.allowed_origins, acme_url]
                source.save(update_fields=["allowed_origins"])
            return source, key
    source, key = source_create(name=SOURCE_NAME, allowed_origins=[acme_url])
    # Acme is a Californian company: people whose zone is not known yet get its nights.
    Source.objects.filter(pk=source.pk).update(timezone=SOURCE_ZONE)
    key_file.write_text(key + "\n")
    key_file.chmod(0o600)
    return source, key


def acme_setup(*, stepwise_url: str, acme_url: str, port: int) -> AcmeSetup:
    source, key = _source(acme_url)
    secret = identity_secret_active(source=source).secret
    KeywordReply.objects.filter(source=source, phrase__in=RETIRED_PHRASES).delete()
    for phrase, answer, url, label in KEYWORDS:
        KeywordReply.objects.get_or_create(
            source=source,
            phrase=phrase,
            defaults={"answer": answer, "url": url, "link_label": label},
        )
    for path in (JOURNEY, PINGS):
        document = json.loads(path.read_text())
        if not Journey.objects.filter(key=document["key"]).exists():
            journey_import(data=document, publish=True)
    return AcmeSetup(
        url=acme_url, port=port, stepwise_url=stepwise_url, write_key=key, identity_secret=secret
    )
