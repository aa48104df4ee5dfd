"""Shared fixtures: factories that go through the real services."""

from __future__ import annotations

import pytest


@pytest.fixture
def api_client(client):
    return client
