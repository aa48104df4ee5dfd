"""Whether the journey that queued a message still wants it sent.

A message can wait — quiet hours, the frequency cap, a retry, a slow provider — and by the
time it is due its enrollment may have reached the goal or left, or its journey may have
been paused or archived. Such a message is cancelled, never sent, with the reason in plain
words ("reached the goal first") for the contact page, its history and the reports.

One rule, two doors:
- the sender's claim carries `still_wanted()` inside the one UPDATE that claims a message,
  so the check and the claim are one atomic step: a goal that commits before the claim
  always cancels it, one that commits after finds the message claimed (being sent);
- whatever ends enrollments or stops a journey cancels their waiting messages at once
  (`messages_cancel_unwanted`), in its own transaction, so staff see it straight away.

Messages that belong to no step visit (staff one-off messages, test sends) are not a
journey's: they are always wanted.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet

from channels.delivery.withdraw import messages_withdraw
from channels.models import Message
from journeys.models import Enrollment, Journey, StepVisit

# Checked in this order: a stopped journey explains itself better than the exit it caused.
STOPPED_JOURNEY: dict[str, str] = {
    Journey.Status.PAUSED: "the journey was paused",
    Journey.Status.ARCHIVED: "the journey was archived",
}
ENDED_ENROLLMENT: dict[str, str] = {
    Enrollment.State.CONVERTED: "reached the goal first",
    Enrollment.State.EXITED: "left the journey first",
}
ERASED = "the person's data was erased"


def _unwanted_visits() -> QuerySet[StepVisit]:
    return StepVisit.objects.filter(
        Q(enrollment__state__in=list(ENDED_ENROLLMENT))
        | Q(enrollment__journey__status__in=list(STOPPED_JOURNEY))
    )


def still_wanted() -> Q:
    """A Message filter: its journey still wants it sent (no step visit: always)."""
    unwanted = Exists(_unwanted_visits().filter(pk=OuterRef("step_visit_id")))
    return Q(step_visit_id__isnull=True) | Q(~unwanted)


def unwanted_reasons(visit_ids: Iterable[int]) -> dict[int, str]:
    """Step visit id → why its message is no longer wanted, for those that are not."""
    rows = (
        StepVisit.objects.filter(pk__in=set(visit_ids))
        .values_list("pk", "enrollment__state", "enrollment__journey__status")
        .order_by()
    )
    reasons = {}
    for pk, state, journey_status in rows:
        reason = STOPPED_JOURNEY.get(journey_status) or ENDED_ENROLLMENT.get(state)
        if reason:
            reasons[pk] = reason
    return reasons


def messages_cancel_unwanted(
    *,
    now: datetime,
    message_ids: Iterable[int] | None = None,
    enrollment_ids: Iterable[int] | None = None,
    journey_id: int | None = None,
) -> list[int]:
    """Cancel the waiting messages (of these ids, enrollments or journey) that their
    journey no longer wants; return the ids cancelled. Call after the enrollment or
    journey change, in its transaction."""
    waiting = Message.objects.filter(
        Exists(_unwanted_visits().filter(pk=OuterRef("step_visit_id"))),
        status=Message.Status.QUEUED,
        claimed_until__isnull=True,
        step_visit_id__isnull=False,
    )
    if message_ids is not None:
        waiting = waiting.filter(pk__in=list(message_ids))
    if enrollment_ids is not None:
        visits = StepVisit.objects.filter(enrollment_id__in=list(enrollment_ids))
        waiting = waiting.filter(step_visit_id__in=visits.values("pk"))
    if journey_id is not None:
        waiting = waiting.filter(journey_id=journey_id)
    found = [(pk, visit) for pk, visit in waiting.values_list("pk", "step_visit_id") if visit]
    if not found:
        return []
    reasons = unwanted_reasons(visit for _, visit in found)
    return messages_withdraw(
        reasons={pk: reasons[visit] for pk, visit in found if visit in reasons},
        status=Message.Status.CANCELLED,
        now=now,
    )
