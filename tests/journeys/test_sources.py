"""Sources and write keys."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from journeys.models import Source
from journeys.people.sources import hash_key, source_for_key


def test_create_source_prints_the_key_alone_on_the_last_line(api):
    out = io.StringIO()

    call_command("create_source", "Mobile app", "--origin", "https://app.example.com", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    source = Source.objects.get(name="Mobile app")
    assert key.startswith("sw_")
    assert source.key_hash == hash_key(key)
    assert key not in (source.key_hash, source.key_prefix)
    assert key.startswith(source.key_prefix)
    assert source.allowed_origins == ["https://app.example.com"]
    assert api.post("track", {"anonymousId": "a", "event": "E"}, key=key).status_code == 200


def test_create_source_needs_a_name(db):
    with pytest.raises(CommandError, match="needs a name"):
        call_command("create_source", "  ")


def test_keys_are_distinct_and_only_the_hash_is_stored(make_source):
    first, first_key = make_source("A")
    second, second_key = make_source("B")

    assert first_key != second_key
    assert first.key_prefix != second.key_prefix
    assert source_for_key(first_key).id == first.id
    assert source_for_key("sw_" + "x" * 32) is None
