"""Enough sample traffic for the reports to have something to say: 600 trial contacts
through a journey with an A/B test and a holdout (onboarding/samples/trial_invite.json),
sent through the same ingest service as the API; the demo's worker does the rest.

Who converts is fixed in advance from the stable assignment the engine itself uses: one
in seven of the holdout, about one in five who see tip A, three in ten who see tip B — so
the chance to win, the sample-ratio check and the holdout's lift all show. Goal events are
dated up to three days after the trial starts, so time to convert has a spread (they are
in the future when the demo starts)."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

from django.utils import timezone

from channels.registry import channel_facts
from journeys.core.assignment import choose_path, choose_variant, stable_bucket
from journeys.core.format import parse_journey
from journeys.core.traits import extract_known_traits
from journeys.models import Contact, Journey
from journeys.people.ingest import Incoming
from journeys.run.events import event_ingest
from journeys.run.journeys import journey_import

JOURNEY = Path(__file__).resolve().parent / "samples" / "trial_invite.json"
TRAFFIC = 600
PREFIX = "trial-"
PLANS = ("starter", "starter", "team", "business")
COUNTRIES = ("GB", "US", "US", "DE", "FR", "IN", "BR")
GOAL_PERCENT = {"holdout": 14, "A": 21, "B": 31}


def load_sample_traffic(*, source_id: int) -> None:
    """Idempotent: the journey is published once, the contacts and events sent once."""
    document = json.loads(JOURNEY.read_text())
    if not Journey.objects.filter(key=document["key"]).exists():
        journey_import(data=document, publish=True)
    if Contact.objects.filter(user_id=f"{PREFIX}0001").exists():
        return
    now = timezone.now()
    people = [_identify(n, now) for n in range(1, TRAFFIC + 1)]
    event_ingest(source_id=source_id, messages=people, received_at=now)
    spec = parse_journey(document, channels=channel_facts())
    contacts = Contact.objects.filter(user_id__startswith=PREFIX).values_list("pk", "user_id")
    events = []
    for pk, user_id in contacts:
        assert user_id is not None  # the filter above
        started = now - timedelta(minutes=1)
        traits = people[int(user_id.removeprefix(PREFIX)) - 1].traits or {}
        events.append(_track(user_id, "Started Trial", started, {"plan": traits["plan"]}))
        if stable_bucket(pk, spec.key, "sample-goal", 100) < GOAL_PERCENT[_arm(pk, spec)]:
            hours = 1 + stable_bucket(pk, spec.key, "sample-time", 71)
            events.append(_track(user_id, "Invited Teammate", started + timedelta(hours=hours)))
    event_ingest(source_id=source_id, messages=events, received_at=now)


def _arm(contact_id: int, spec) -> str:  # noqa: ANN001 - a JourneySpec
    if choose_path(contact_id, spec.key, spec.step("holdout")) == 1:
        return "holdout"
    return choose_variant(contact_id, spec.key, spec.step("invite_tip")).name


def _identify(n: int, now) -> Incoming:  # noqa: ANN001 - a datetime
    traits = {
        "email": f"trial{n:04d}@example.com",
        "firstName": f"Trial {n}",
        "plan": PLANS[n % len(PLANS)],
        "country": COUNTRIES[n % len(COUNTRIES)],
    }
    return Incoming(
        type="identify",
        name="Identify",
        user_id=f"{PREFIX}{n:04d}",
        anonymous_id=None,
        message_id=f"demo-identify-{PREFIX}{n:04d}",
        timestamp=now - timedelta(minutes=2),
        traits=traits,
        known=extract_known_traits(traits),
    )


def _track(user_id: str, name: str, at, properties: dict | None = None) -> Incoming:  # noqa: ANN001
    return Incoming(
        type="track",
        name=name,
        user_id=user_id,
        anonymous_id=None,
        message_id=f"demo-{user_id}-{name}",
        timestamp=at,
        properties=properties or {},
    )
