"""Reads for the worker, the admin and the commands: journeys, specs, versions, timelines."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.db.models import Count

from channels.registry import channel_facts
from journeys.core.engine import spec_event_names
from journeys.core.format import parse_journey
from journeys.core.spec import JourneySpec
from journeys.models import (
    Enrollment,
    Journey,
    JourneyVersion,
    MessageVariant,
    Step,
)


@dataclass(frozen=True)
class VersionInfo:
    """A published version as the worker needs it: the parsed spec and its row ids."""

    id: int
    journey_id: int
    number: int
    spec: JourneySpec
    event_names: frozenset[str]
    step_ids: dict[str, int]
    step_positions: dict[str, int]
    variant_ids: dict[tuple[str, str], int]


def journey_spec_for_key(key: str) -> JourneySpec:
    """The latest published version's spec, else the draft's. KeyError if no such journey."""
    journey = Journey.objects.select_related("current_version").filter(key=key).first()
    if journey is None:
        raise KeyError(f'No journey with key "{key}".')
    if journey.current_version is not None:
        return version_info(journey.current_version_id).spec
    return parse_journey(journey.draft_spec, channels=channel_facts())


@lru_cache(maxsize=512)
def version_info(version_id: int) -> VersionInfo:
    """Parsed spec and step/variant ids of a version; cached, since versions never change."""
    version = JourneyVersion.objects.get(pk=version_id)
    spec = parse_journey(version.spec, channels=channel_facts())
    steps = list(Step.objects.filter(version_id=version_id).values_list("pk", "key", "position"))
    variants = MessageVariant.objects.filter(step__version_id=version_id).values_list(
        "pk", "step__key", "name"
    )
    return VersionInfo(
        id=version.pk,
        journey_id=version.journey_id,
        number=version.number,
        spec=spec,
        event_names=spec_event_names(spec),
        step_ids={key: pk for pk, key, _ in steps},
        step_positions={key: position for _, key, position in steps},
        variant_ids={(step_key, name): pk for pk, step_key, name in variants},
    )


def enrollment_counts(*, journey: Journey) -> dict[str, int]:
    """Enrollments of a journey per state (every state present, zeros included)."""
    rows = dict(
        Enrollment.objects.filter(journey=journey)
        .values_list("state")
        .annotate(n=Count("pk"))
        .values_list("state", "n")
    )
    return {state: rows.get(state, 0) for state in Enrollment.State.values}


def contact_enrollments(*, contact_id: int) -> list[Enrollment]:
    """A contact's enrollments, newest first, with their visits (and steps) prefetched."""
    return list(
        Enrollment.objects.filter(contact_id=contact_id)
        .select_related("journey", "version")
        .prefetch_related("visits__step", "visits__variant")
        .order_by("-entered_at", "-id")
    )
