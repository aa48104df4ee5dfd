"""A message its template cannot be written for: not sent, and staff hear of it.

A value the template prints with no fallback (`{{ event.properties.title }}` for a person
whose event had no title) fails the render. The person gets nothing for that step rather
than a broken message; the journey goes on (the engine queued the message and moved on);
and a ContactProblem of kind "not sent" says what was missing where staff look: the
contact's page, the journey's problems, a count on the step's card."""

from __future__ import annotations

from datetime import datetime

from channels.base import template_problem_words
from channels.delivery.messages import message_fail
from channels.models import Message
from channels.rendering import RenderError
from journeys.models import ContactProblem, StepVisit

MAX_REASON = 600


def message_unrendered(message: Message, error: RenderError, now: datetime) -> None:
    """Fail `message` for its render problem and, for a journey's message, record it."""
    problem = error.problem
    message_fail(message_id=message.pk, error=template_problem_words(problem), now=now)
    if message.is_test or message.journey_id is None or message.step_visit_id is None:
        return  # staff sending a test see the problem in the builder at once
    visit = (
        StepVisit.objects.filter(pk=message.step_visit_id)
        .values("enrollment_id", "step__key")
        .first()
    )
    ContactProblem.objects.create(
        contact_id=message.contact_id,
        journey_id=message.journey_id,
        enrollment_id=visit["enrollment_id"] if visit else None,
        step_key=(visit["step__key"] if visit else "")[:100],
        kind=ContactProblem.Kind.NOT_SENT,
        reason=problem.message.rstrip(". ")[:MAX_REASON],  # staff pages end the sentence
        parked_at=now,  # final: nothing is retried, the journey went on
        first_at=now,
        last_at=now,
    )
