"""Constants and helpers shared by the channels tests."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from channels.models import MessageStatusChange

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
POSTMARK_TOKEN = "postmark-server-token"
WEBHOOK_SECRET = "anymail:webhook-secret"
TWILIO_SID = "AC" + "0" * 32
TWILIO_TOKEN = "twilio-auth-token"
PUBLIC_URL = "https://stepwise.example.com"
CONTEXT = {
    "event": {"name": "Uploaded File", "properties": {"filename": "q3.pdf"}},
    "journey": {"name": "Welcome"},
}
NOW = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text())


def history(message_id: int) -> list[tuple[str, str, bool]]:
    return list(
        MessageStatusChange.objects.filter(message_id=message_id).values_list(
            "from_status", "to_status", "applied"
        )
    )
