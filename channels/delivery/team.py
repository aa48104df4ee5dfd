"""Notes to the team: a journey's notify step ("Ada has been stuck at upload for 3 days")
and replies the bot could not answer. An email address gets an email, an https URL a JSON
POST {"text": …} (Slack-compatible).

At most one message per target and journey every `CHANNELS_TEAM_DIGEST_MINUTES` (5): the
first note after a quiet spell goes out at once, what comes meanwhile waits and goes out
as one digest (the delivery cluster's minute sweep sends it). So 200 replies in 4 seconds
are two messages, not 200. A note is sent at most once: it is marked sent before the send,
and a failed send is logged."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django_q.tasks import async_task

from channels import conf
from channels.base import SendError
from channels.models import TeamAlert
from channels.webhook import post_json

logger = logging.getLogger(__name__)
DIGEST_MAX_NOTES = 50
SUBJECT_MAX = 78
KEEP_SENT = timedelta(days=7)


@dataclass(frozen=True)
class Digest:
    target: str
    subject: str
    text: str


def _is_https_url(target: str) -> bool:
    parts = urlsplit(target)
    local = parts.scheme == "http" and parts.hostname in {"127.0.0.1", "localhost"}
    return (parts.scheme == "https" or local) and bool(parts.netloc)


def team_notify(*, target: str, text: str, topic: str = "", now: datetime | None = None) -> None:
    """Keep a note for the team about `topic` (the journey's name) and send it after
    commit, or with the next digest; raises ValueError for a target that is neither an
    email address nor an https URL."""
    target = target.strip()
    if not _is_https_url(target):
        try:
            validate_email(target)
        except ValidationError:
            raise ValueError(f"{target!r} is neither an email address nor an https URL.") from None
    TeamAlert.objects.create(
        target=target, topic=topic[:200], text=text, created_at=now or timezone.now()
    )
    transaction.on_commit(
        lambda: async_task(
            "channels.tasks.team_alerts_send",
            target,
            topic[:200],
            cluster=settings.Q_DELIVERY_CLUSTER,
        )
    )


def digest_words(topic: str, texts: list[str], minutes: int) -> tuple[str, str]:
    """(subject, text) of one message carrying `texts`; the subject is one line."""
    if len(texts) == 1:
        text = texts[0]
    else:
        about = f" about “{topic}”" if topic else ""
        lines = [f"- {' '.join(note.split())}" for note in texts[:DIGEST_MAX_NOTES]]
        more = len(texts) - DIGEST_MAX_NOTES
        lines += [f"…and {more} more."] if more > 0 else []
        text = f"{len(texts)} notes{about} in the last {minutes} minutes:\n\n" + "\n".join(lines)
    # A line break in a header is refused outright: a name with one broke every alert.
    subject = " ".join(text.split())
    subject = subject if len(subject) <= SUBJECT_MAX else subject[: SUBJECT_MAX - 1] + "…"
    return subject, text


@transaction.atomic
def _take_digest(*, target: str, topic: str, now: datetime) -> Digest | None:
    """Mark the waiting notes of one target and journey sent and return them as one
    digest, unless a message went to them within the digest window."""
    window = timedelta(minutes=conf.team_digest_minutes())
    pair = TeamAlert.objects.filter(target=target, topic=topic)
    last = pair.filter(sent_at__isnull=False).aggregate(last=Max("sent_at"))["last"]
    if last is not None and now - last < window:
        return None
    waiting = list(
        pair.filter(sent_at__isnull=True)
        .select_for_update(skip_locked=True)
        .order_by("created_at", "pk")
    )
    if not waiting:
        return None
    TeamAlert.objects.filter(pk__in=[alert.pk for alert in waiting]).update(sent_at=now)
    minutes = conf.team_digest_minutes()
    subject, text = digest_words(topic, [alert.text for alert in waiting], minutes)
    return Digest(target=target, subject=subject, text=text)


def team_alerts_send(*, target: str, topic: str, now: datetime | None = None) -> bool:
    """Send the waiting notes of one target and journey now if the window allows it."""
    digest = _take_digest(target=target, topic=topic, now=now or timezone.now())
    if digest is None:
        return False
    _send(digest)
    return True


def team_alerts_sweep(*, now: datetime | None = None) -> int:
    """Every minute: send each digest whose window has passed; forget old sent notes."""
    now = now or timezone.now()
    TeamAlert.objects.filter(sent_at__lt=now - KEEP_SENT).delete()
    pairs = TeamAlert.objects.filter(sent_at__isnull=True).values_list("target", "topic")
    return sum(
        team_alerts_send(target=target, topic=topic, now=now)
        for target, topic in sorted(set(pairs))
    )


def _send(digest: Digest) -> None:
    if "@" in digest.target and not digest.target.startswith("http"):
        EmailMessage(
            subject=digest.subject,
            body=digest.text,
            from_email=conf.email_from(),
            to=[digest.target],
        ).send()
        return
    try:
        post_json(digest.target, json.dumps({"text": digest.text}).encode(), message_id="team")
    except SendError:
        logger.exception("team_notify.failed", extra={"target": digest.target})
