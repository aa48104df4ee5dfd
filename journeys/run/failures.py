"""What the worker raises when one contact's work fails, and the reason in plain words.

The engine's batch code wraps any exception of one (contact, journey) in a `StepFailure`
that names who, where and why; journeys.run.isolation catches it at the per-contact
boundary. Anything else that escapes a batch (a database refusal while writing) carries no
name and is found by halving the batch."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from django.db import DatabaseError

from channels.rendering import RenderError
from journeys.core.decisions import StepRaised
from journeys.core.steps.base import step_label

MAX_REASON = 600
# Text PostgreSQL cannot store (NUL, lone surrogates) and control characters that would
# break a staff alert's line.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


@dataclass(frozen=True)
class Culprit:
    """Who and where: filled in as the exception travels up from the step that raised."""

    contact_id: int | None = None
    journey_id: int | None = None
    journey_name: str = ""
    step_key: str = ""
    event_id: int | None = None
    event_name: str = ""
    enrollment_id: int | None = None  # an enrollment already written (None: a new entry)


class StepFailure(Exception):
    """One contact's work in one journey raised; `reason` says why in plain words."""

    def __init__(self, culprit: Culprit, reason: str) -> None:
        super().__init__(reason)
        self.culprit = culprit
        self.reason = reason

    @classmethod
    def of(cls, exc: BaseException, **known: object) -> StepFailure:
        """`exc` as a StepFailure naming what is `known`; fields already named are kept."""
        if isinstance(exc, StepFailure):
            current = exc.culprit
            missing = {k: v for k, v in known.items() if not getattr(current, k) and v}
            exc.culprit = replace(current, **missing)  # type: ignore[arg-type]
            return exc
        cause: BaseException = exc
        if isinstance(exc, StepRaised):  # the engine names the step that raised
            known["step_key"] = exc.step_id
            cause = exc.__cause__ or exc
        failure = cls(Culprit(**known), plain_reason(cause))  # type: ignore[arg-type]
        failure.__cause__ = exc
        return failure


def plain_reason(exc: BaseException) -> str:
    """Why, for staff: the renderer's own words, or what went wrong with the data."""
    if isinstance(exc, StepFailure):
        return exc.reason
    if isinstance(exc, RenderError):
        return clean(exc.problem.message)
    if isinstance(exc, RecursionError):
        return "this person's data is nested too deeply to read"
    detail = clean(str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__)
    if isinstance(exc, DatabaseError):
        return f"the database refused what Stepwise wrote for this person ({detail})"
    return f"this person's data could not be worked out ({detail})"


def clean(text: str, limit: int = MAX_REASON) -> str:
    """Text any database stores and any alert shows on one line, at most `limit` long."""
    flat = _UNSAFE.sub(" ", text)
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def where_words(culprit: Culprit) -> str:
    """ "the step “Tell sales” of “Trial ending”", or what is known of it."""
    journey = f"“{culprit.journey_name}”" if culprit.journey_name else ""
    if culprit.step_key and journey:
        return f"the step “{step_label(culprit.step_key)}” of {journey}"
    if journey:
        return f"the journey {journey}"
    if culprit.event_name:
        return f"handling “{culprit.event_name}”"
    return "the worker"
