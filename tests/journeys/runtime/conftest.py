"""Fixtures for the engine's runtime: journeys imported through the real services, contacts
and events written as the event API stores them, and the real worker entry points."""

from __future__ import annotations

import copy
import itertools
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.utils import timezone

from journeys.models import Contact, Event
from journeys.people.sources import source_create
from journeys.run.journeys import journey_import
from journeys.tasks import process_pending_events

WELCOME = json.loads((Path(__file__).parent / "welcome.json").read_text())
_message_ids = itertools.count(1)


@pytest.fixture
def welcome_doc():
    return copy.deepcopy(WELCOME)


@pytest.fixture
def source(db):
    created, _key = source_create(name="Product")
    return created


@pytest.fixture
def make_contact(source):
    def make(user_id: str = "ada", **fields):
        now = timezone.now()
        fields.setdefault("email", f"{user_id}@example.com")
        fields.setdefault("first_name", user_id.capitalize())
        return Contact.objects.create(
            user_id=user_id, source=source, first_seen_at=now, last_seen_at=now, **fields
        )

    return make


@pytest.fixture
def send_event(source):
    """Store an event as the API does (unprocessed: the worker's queue)."""

    def send(contact: Contact, name: str, at: datetime | None = None, **properties):
        at = at or timezone.now()
        return Event.objects.create(
            source=source,
            contact=contact,
            name=name,
            properties=properties,
            message_id=f"m-{next(_message_ids)}",
            timestamp=at,
            received_at=at,
        )

    return send


@pytest.fixture
def run_worker():
    def run() -> int:
        return process_pending_events(linger=0)

    return run


@pytest.fixture
def live_welcome(db, welcome_doc):
    return journey_import(data=welcome_doc, publish=True)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)
