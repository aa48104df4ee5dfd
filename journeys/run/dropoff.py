"""What staff do from a drop-off list: exit contacts, move them on, or send them a
one-off message. Each is one transaction, traced on the contact and audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from journeys.core.decisions import TraceLine
from journeys.models import Enrollment, Journey
from journeys.people.audit import actor_name, audit_record
from journeys.people.staff import person_name
from journeys.run.enrollments import enrollment_wake
from journeys.run.outbox import OutboxMessage, outbox_cancel_unwanted, outbox_queue_many
from journeys.run.rollups import enrollments_end_open
from journeys.run.traces import trace_row, traces_write

Actor = AbstractBaseUser | AnonymousUser | None
MAX_SELECTED = 500


@dataclass(frozen=True)
class SendResult:
    queued: int
    deferred: int
    not_sent: int


def _open(journey: Journey, enrollment_ids: Sequence[int]) -> list[Enrollment]:
    return list(
        Enrollment.objects.select_for_update()
        .filter(journey=journey, pk__in=list(enrollment_ids)[:MAX_SELECTED])
        .filter(state__in=Enrollment.OPEN_STATES)
        .order_by("pk")
    )


def _trace(journey: Journey, rows: Sequence[Enrollment], code: str, text: str) -> None:
    now = timezone.now()
    traces_write(
        rows=[
            trace_row(
                lines=[TraceLine(code, text, {})],
                contact_id=row.contact_id,
                journey_id=journey.pk,
                enrollment_id=row.pk,
                at=now,
            )
            for row in rows
        ]
    )


@transaction.atomic
def dropoff_exit(*, journey: Journey, enrollment_ids: Sequence[int], by: Actor) -> int:
    """End these open trips as exited, where they stand; return how many."""
    rows = _open(journey, enrollment_ids)
    if not rows:
        return 0
    now = timezone.now()
    ids = [row.pk for row in rows]
    enrollments_end_open(enrollment_ids=ids, outcome="exited by staff", now=now)
    Enrollment.objects.filter(pk__in=ids).update(
        state=Enrollment.State.EXITED, wake_at=None, finished_at=now, updated_at=now,
        revision=F("revision") + 1,
    )  # fmt: skip
    outbox_cancel_unwanted(now=now, enrollment_ids=ids)
    who = actor_name(by, "staff")
    _trace(journey, rows, "staff.exited", f"Exited by {who} from the journey report.")
    audit_record(
        action="report.exit",
        summary=f"Exited {len(rows)} contact(s) from {journey.name}",
        by=by,
        journey=journey,
        diff={"enrollments": ids},
    )
    return len(rows)


def dropoff_move_on(*, journey: Journey, enrollment_ids: Sequence[int], by: Actor) -> int:
    """Move waiting contacts on as if their wait had run out; return how many moved."""
    with transaction.atomic():
        rows = [r for r in _open(journey, enrollment_ids) if r.state == Enrollment.State.WAITING]
        now = timezone.now()
        ids = [row.pk for row in rows]
        Enrollment.objects.filter(pk__in=ids).update(wake_at=now, revision=F("revision") + 1)
        who = actor_name(by, "staff")
        _trace(journey, rows, "staff.moved_on", f"Moved on by {who} from the journey report.")
        audit_record(
            action="report.move_on",
            summary=f"Moved on {len(rows)} waiting contact(s) in {journey.name}",
            by=by,
            journey=journey,
            diff={"enrollments": ids},
        )
    moved = 0
    for row in rows:  # each wake-up is the worker's own, one transaction each
        moved += enrollment_wake(enrollment_id=row.pk, revision=row.revision + 1, now=now)
    return moved


@transaction.atomic
def dropoff_send(
    *,
    journey: Journey,
    enrollment_ids: Sequence[int],
    channel: str,
    content: dict[str, str],
    by: Actor,
) -> SendResult:
    """Queue one message to each selected contact through channels: opt-outs, quiet hours
    and the frequency cap apply as to any journey message. In the chat it is signed by the
    staff member (a person, never the bot), and the answer lands in the inbox."""
    contact_ids = sorted(
        set(
            Enrollment.objects.filter(
                journey=journey, pk__in=list(enrollment_ids)[:MAX_SELECTED]
            ).values_list("contact_id", flat=True)
        )
    )
    now = timezone.now()
    requests = [
        OutboxMessage(
            contact_id=contact_id,
            channel=channel,
            content=content,
            context={"journey": {"name": journey.name}, "sender": {"name": person_name(by)}},
            step_visit_id=None,
            variant_id=None,
            journey_id=journey.pk,
        )
        for contact_id in contact_ids
    ]
    queued = outbox_queue_many(messages=requests, now=now) if requests else []
    result = SendResult(
        queued=sum(1 for q in queued if not q.suppressed_reason and not q.deferred_reason),
        deferred=sum(1 for q in queued if q.deferred_reason and not q.suppressed_reason),
        not_sent=sum(1 for q in queued if q.suppressed_reason),
    )
    audit_record(
        action="report.send",
        summary=f"Sent a one-off {channel} message to {len(contact_ids)} contact(s) "
        f"of {journey.name}",
        by=by,
        journey=journey,
        diff={"contacts": contact_ids, "channel": channel, "content": content,
              "queued": result.queued, "deferred": result.deferred, "not_sent": result.not_sent},
    )  # fmt: skip
    return result
