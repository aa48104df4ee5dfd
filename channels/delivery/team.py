"""Telling the team (the engine's "notify" step): an email, or a Slack-compatible POST,
sent by a delivery task after commit."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django_q.tasks import async_task


def _is_https_url(target: str) -> bool:
    parts = urlsplit(target)
    local = parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
    return (parts.scheme == "https" or local) and bool(parts.netloc)


def team_notify(*, target: str, text: str) -> None:
    """Tell the team something (the engine's "notify" step): an email address gets an
    email, an https URL gets a JSON POST {"text": …} (Slack-compatible). Sent from a task
    after commit; raises ValueError for any other target."""
    target = target.strip()
    if not _is_https_url(target):
        try:
            validate_email(target)
        except ValidationError:
            raise ValueError(f"{target!r} is neither an email address nor an https URL.") from None
    transaction.on_commit(
        lambda: async_task(
            "channels.tasks.team_notify_send", target, text, cluster=settings.Q_DELIVERY_CLUSTER
        )
    )
