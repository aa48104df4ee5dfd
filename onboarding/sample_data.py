"""Sample contacts and events for the demo, sent through the same ingest service as the API."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from journeys.core.traits import extract_known_traits
from journeys.models import Contact, Journey
from journeys.people.ingest import Incoming
from journeys.people.sources import source_for_key
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import
from onboarding.sample_traffic import load_sample_traffic

PEOPLE = [
    (
        "ada",
        {
            "email": "ada@example.com",
            "firstName": "Ada",
            "lastName": "Lovelace",
            "timezone": "Europe/London",
            "plan": "free",
        },
    ),
    (
        "grace",
        {
            "email": "grace@example.com",
            "firstName": "Grace",
            "lastName": "Hopper",
            "timezone": "America/New_York",
            "phone": "+12125550123",
            "plan": "trial",
        },
    ),
    (
        "alan",
        {
            "email": "alan@example.com",
            "firstName": "Alan",
            "lastName": "Turing",
            "timezone": "Europe/London",
            "plan": "pro",
        },
    ),
    # People in other languages (issue 23): their messages come in their version, if any.
    (
        "marie",
        {
            "email": "marie@example.com",
            "firstName": "Marie",
            "lastName": "Curie",
            "timezone": "Europe/Paris",
            "locale": "fr-FR",
            "plan": "trial",
        },
    ),
    (
        "emmy",
        {
            "email": "emmy@example.com",
            "firstName": "Emmy",
            "lastName": "Noether",
            "timezone": "Europe/Berlin",
            "locale": "de-DE",
            "plan": "free",
        },
    ),
]
HISTORY = [
    ("ada", "Signed Up", {"plan": "free"}, 3),
    ("ada", "Uploaded File", {"filename": "engine.pdf"}, 2),
    ("grace", "Signed Up", {"plan": "trial"}, 2),
    ("alan", "Signed Up", {"plan": "pro"}, 5),
    ("alan", "Uploaded File", {"filename": "enigma.txt"}, 4),
    ("alan", "Invited Teammate", {"email": "joan@example.com"}, 4),
    ("marie", "Signed Up", {"plan": "trial"}, 1),
    ("emmy", "Signed Up", {"plan": "free"}, 1),
]


EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def load_sample_data(*, write_key: str, traffic: bool = True) -> None:
    """Idempotent: the example journeys are published once, the sample contacts sent once;
    with `traffic`, the 600 trial contacts the reports need (onboarding/sample_traffic.py)."""
    for path in sorted(EXAMPLES.glob("*.json")):
        document = json.loads(path.read_text())
        if not Journey.objects.filter(key=document["key"]).exists():
            journey_import(data=document, publish=True)
    source = source_for_key(write_key)
    if source is None:
        return
    if traffic:
        load_sample_traffic(source_id=source.id)
    # Each person once: a demo database from before a person was added gets them too.
    had = set(
        Contact.objects.filter(user_id__in=[u for u, _ in PEOPLE]).values_list("user_id", flat=True)
    )
    if len(had) == len(PEOPLE):
        return
    now = timezone.now()
    messages = [
        Incoming(
            type="identify",
            name="Identify",
            user_id=user_id,
            anonymous_id=None,
            message_id=f"demo-identify-{user_id}",
            timestamp=now - timedelta(days=6),
            traits=traits,
            known=extract_known_traits(traits),
        )
        for user_id, traits in PEOPLE
        if user_id not in had
    ]
    messages += [
        Incoming(
            type="track",
            name=name,
            user_id=user_id,
            anonymous_id=None,
            message_id=f"demo-{user_id}-{name}",
            timestamp=now - timedelta(days=days_ago),
            properties=properties,
        )
        for user_id, name, properties, days_ago in HISTORY
        if user_id not in had
    ]
    event_ingest(source_id=source.id, messages=messages, received_at=now)
