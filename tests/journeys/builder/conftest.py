"""Fixtures for the builder: staff users with the real groups, journeys made by services."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth.models import Group

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
def viewer(make_staff):
    return make_staff("rita", group="Report viewers")
