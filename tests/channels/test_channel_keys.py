"""A channel is one module: outside its own module (and its own templates under
templates/channels/<key>/), no source file spells a channel's key. Code asks
channels.registry instead, so adding a channel never means hunting for its key.

A key that is also a contact field ("email") is a common word there; for it only uses as
a channel count: compared with, or given as, a `channel`. The other keys count wherever
they are quoted, or where a "key:fields" list names them."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

from channels.registry import all_channels
from journeys.models import Contact

ROOT = Path(__file__).resolve().parents[2]
WALKED = ("journeys", "channels", "templates", "static/stepwise")
SUFFIXES = {".py", ".html", ".js", ".txt"}
# Justified exceptions, file → the keys it may spell, and why.
ALLOWED = {
    # A provider's webhook speaks for the one channel that provider delivers.
    "channels/webhooks/twilio.py": {"sms"},
    "channels/webhooks/anymail.py": {"email"},
    # The deployment's per-channel settings (quiet hours, senders), read where settings are.
    "channels/conf.py": {"sms", "email"},
}


def _own_files() -> dict[str, str]:
    """Each channel's module, by key."""
    return {
        channel.key: str(Path(inspect.getfile(type(channel))).resolve().relative_to(ROOT))
        for channel in all_channels()
    }


def _pattern(key: str) -> re.Pattern[str]:
    quoted = rf"[\"']{re.escape(key)}[\"']"
    if key in {field.name for field in Contact._meta.get_fields()}:
        return re.compile(rf"channel\w*\s*(?:==|!=|=|:|in)\s*\(?\s*{quoted}")
    return re.compile(rf"{quoted}|\b{re.escape(key)}:[a-z]")


def _sources() -> list[Path]:
    return [
        path
        for folder in WALKED
        for path in sorted((ROOT / folder).rglob("*"))
        if path.suffix in SUFFIXES and "migrations" not in path.parts
    ]


def test_no_file_spells_a_channel_key_outside_its_own_module():
    own = _own_files()
    found = []
    for path in _sources():
        name = str(path.relative_to(ROOT))
        text = path.read_text(encoding="utf-8", errors="replace")
        for key in own:
            if name == own[key] or name.startswith(f"templates/channels/{key}/"):
                continue
            if key in ALLOWED.get(name, set()):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if _pattern(key).search(line):
                    found.append(f"{name}:{number}: {line.strip()[:90]}")

    assert found == [], "Channel keys spelled outside their module:\n" + "\n".join(found)


def test_the_walk_finds_a_key_where_one_is_spelled(tmp_path):
    """The patterns catch the forms the old code used (so the test above can fail)."""
    samples = {
        "sms": ['if channel == "sms":', 'data-channel-fields="sms:body"', "('sms', 'SMS')"],
        "email": ['channel="email"', 'if message.channel == "email"', "channel: 'email'"],
    }
    for key, lines in samples.items():
        assert all(_pattern(key).search(line) for line in lines), key
    assert not _pattern("email").search('{"email": contact.email}')
