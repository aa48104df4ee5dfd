"""Fixtures for the builder: staff users with the real groups, journeys made by services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.utils import timezone

from journeys.builder.drafts import journey_create
from journeys.core.traits import extract_known_traits
from journeys.people.ingest import Incoming
from journeys.people.sources import source_create
from journeys.run.events import event_ingest
from journeys.tasks import process_pending_events

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture
def welcome_document():
    return json.loads((EXAMPLES / "welcome.json").read_text())


@pytest.fixture
def make_staff(db, django_user_model):
    def make(username: str = "ada", *, group: str | None = "Journey editors", superuser=False):
        user = django_user_model.objects.create_user(
            username, f"{username}@example.com", "pw", is_staff=True, is_superuser=superuser
        )
        if group:
            user.groups.add(Group.objects.get(name=group))
        return user

    return make


@pytest.fixture
def editor(make_staff):
    return make_staff("ada")


@pytest.fixture
def journey(editor):
    """A new, blank journey "Welcome", made by the editor."""
    return journey_create(name="Welcome", by=editor)


@pytest.fixture
def signed_in(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def viewer(make_staff):
    return make_staff("rita", group="Report viewers")


@pytest.fixture
def source(db):
    created, _key = source_create(name="Product")
    return created


@pytest.fixture
def ingest(source):
    """Store identify/track calls as the event API does, then run the worker once."""

    def send(user_id: str, *calls: tuple[str, dict], run: bool = True) -> None:
        now = timezone.now()
        messages = []
        for position, (name, data) in enumerate(calls):
            common = {
                "user_id": user_id,
                "anonymous_id": None,
                "message_id": f"{user_id}-{name}-{position}-{now.timestamp()}",
                "timestamp": now,
            }
            if name == "identify":
                known = extract_known_traits(data)
                messages.append(
                    Incoming(type="identify", name="Identify", traits=data, known=known, **common)
                )
            else:
                messages.append(Incoming(type="track", name=name, properties=data, **common))
        event_ingest(source_id=source.id, messages=messages, received_at=now)
        if run:
            process_pending_events(linger=0)

    return send
