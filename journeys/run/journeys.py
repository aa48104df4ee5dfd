"""Journeys: import, export, publish (new immutable version), pause, resume, archive.

Every change writes an AuditEntry in the same transaction; a publish stores the diff
between the previous version and the new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone

from channels.registry import channel_facts
from journeys.core.decisions import TraceLine
from journeys.core.format import dump_journey, parse_journey
from journeys.core.problems import Problem, SpecError
from journeys.core.spec import JourneySpec
from journeys.core.steps import type_of
from journeys.core.steps.base import line
from journeys.models import (
    AuditEntry,
    Enrollment,
    Journey,
    JourneyVersion,
    MessageVariant,
    Step,
)
from journeys.run.outbox import (
    outbox_cancel_unwanted,
    outbox_template_problems,
    outbox_url_problem,
)
from journeys.run.rollups import enrollments_end_open
from journeys.run.traces import trace_row, traces_write

Migrate = Literal["drain", "move"]
Actor = AbstractBaseUser | AnonymousUser | None


class JourneyStateError(Exception):
    """The journey is not in a state that allows this change; the message says why."""


def journey_parse(*, data: Mapping[str, Any]) -> JourneySpec:
    """Validate a document (structure, message templates, outbound URLs); raise
    problems.SpecError."""
    spec = parse_journey(data, template_checker=outbox_template_problems, channels=channel_facts())
    unsafe = [
        Problem(f"steps[{index}].to", problem)
        for index, step in enumerate(spec.steps)
        if str(getattr(step, "to", "")).startswith("http")
        and (problem := outbox_url_problem(str(step.to))) is not None  # type: ignore[attr-defined]
    ]
    if unsafe:
        raise SpecError(unsafe)
    return spec


@transaction.atomic
def journey_import(*, data: Mapping[str, Any], publish: bool = False, by: Actor = None) -> Journey:
    """Create or update a journey's draft from a document; optionally publish it.

    Raises SpecError (nothing written) when the document is invalid, JourneyStateError for an
    archived journey. Publishing an unchanged draft is skipped, so re-imports are harmless."""
    spec = journey_parse(data=data)
    now = timezone.now()
    journey = Journey.objects.select_for_update().filter(key=spec.key).first()
    if journey is not None and journey.status == Journey.Status.ARCHIVED:
        raise JourneyStateError(f'Journey "{spec.key}" is archived; it cannot be changed.')
    document = dump_journey(spec)
    created = journey is None
    old_draft = None if journey is None else journey.draft_spec
    if journey is None:
        journey = Journey.objects.create(
            key=spec.key, name=spec.name, draft_spec=document, created_at=now, updated_at=now
        )
    else:
        journey.name = spec.name
        journey.draft_spec = document
        journey.updated_at = now
        journey.save(update_fields=["name", "draft_spec", "updated_at"])
    _audit(
        journey=journey,
        by=by,
        action="import",
        summary=f"{'Created' if created else 'Updated'} the draft of {spec.key} from a file",
        diff=spec_diff(old_draft, document),
    )
    if publish and not _draft_is_published(journey):
        journey = journey_publish(journey=journey, by=by).journey
    return journey


def journey_export(*, key: str, version: int | None = None) -> dict[str, Any]:
    """The journey's document: its draft, or published version `version`. KeyError if none."""
    journey = Journey.objects.filter(key=key).first()
    if journey is None:
        raise KeyError(f'No journey with key "{key}".')
    if version is None:
        return dict(journey.draft_spec)
    row = journey.versions.filter(number=version).first()
    if row is None:
        raise KeyError(f'Journey "{key}" has no version {version}.')
    return dict(row.spec)


@transaction.atomic
def journey_publish(
    *, journey: Journey, by: Actor = None, migrate: Migrate = "drain"
) -> JourneyVersion:
    """Publish the draft as a new immutable version; new entrants take it.

    migrate="drain": open enrollments finish on the version they entered.
    migrate="move": open enrollments move to the new version when their current step id
    still exists there (the others drain). Raises JourneyStateError (archived, unchanged)."""
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.status == Journey.Status.ARCHIVED:
        raise JourneyStateError(f'Journey "{journey.key}" is archived; it cannot be published.')
    spec = journey_parse(data=journey.draft_spec)
    document = dump_journey(spec)
    previous = journey.current_version
    if previous is not None and previous.spec == document:
        raise JourneyStateError(
            f'The draft of "{journey.key}" is the same as version {previous.number}.'
        )
    now = timezone.now()
    number = (journey.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = JourneyVersion.objects.create(
        journey=journey, number=number, spec=document, published_at=now, published_by=_user(by)
    )
    _materialise_steps(version, spec)
    journey.current_version = version
    journey.name = spec.name
    if journey.status == Journey.Status.DRAFT:
        journey.status = Journey.Status.LIVE
    journey.updated_at = now
    journey.save(update_fields=["current_version", "name", "status", "updated_at"])
    moved = _move_enrollments(journey, version, spec, now) if migrate == "move" else {}
    diff = spec_diff(previous.spec if previous else None, document)
    diff |= {"from_version": previous.number if previous else None, "to_version": number}
    diff |= {"migrate": migrate, **moved}
    _audit(
        journey=journey, by=by, action="publish", summary=f"Published version {number}", diff=diff
    )
    return version


def _materialise_steps(version: JourneyVersion, spec: JourneySpec) -> None:
    """One Step row per step and one MessageVariant row per variant it may send."""
    steps = Step.objects.bulk_create(
        [
            Step(
                version=version,
                key=step.id,
                type=step.type,
                position=position,
                channel=type_of(step).channel(step),
            )
            for position, step in enumerate(spec.steps)
        ]
    )
    variants = [
        MessageVariant(step=row, name=v.name, weight=v.weight, content=v.content())
        for row, step in zip(steps, spec.steps, strict=True)
        for v in type_of(step).variants(step, channel_facts())
    ]
    MessageVariant.objects.bulk_create(variants)


def _move_enrollments(
    journey: Journey, version: JourneyVersion, spec: JourneySpec, now: Any
) -> dict[str, int]:
    """Move open enrollments on older versions to `version` by step id; the rest drain."""
    open_old = Enrollment.objects.filter(journey=journey, state__in=Enrollment.OPEN_STATES).exclude(
        version=version
    )
    step_ids = [step.id for step in spec.steps]
    left = list(open_old.exclude(step_key__in=step_ids).values_list("pk", "contact_id", "step_key"))
    moved = open_old.filter(step_key__in=step_ids).update(
        version=version, revision=F("revision") + 1, updated_at=now
    )
    _trace_each(
        journey,
        now,
        [
            (pk, contact_id, line("version.not_moved", _not_moved(step_key, version.number),
                                  step=step_key, version=version.number))
            for pk, contact_id, step_key in left
        ],
    )  # fmt: skip
    return {"moved": moved, "left_to_drain": len(left)}


def _not_moved(step_key: str, number: int) -> str:
    return f'Stays on its version: step "{step_key}" does not exist in version {number}.'


def _trace_each(journey: Journey, now: Any, lines: list[tuple[int, int, TraceLine]]) -> None:
    """One decision trace per (enrollment id, contact id, line), written in one insert."""
    traces_write(
        rows=[
            trace_row(
                lines=[trace], contact_id=contact_id, journey_id=journey.pk,
                enrollment_id=pk, at=now,
            )
            for pk, contact_id, trace in lines
        ]
    )  # fmt: skip


@transaction.atomic
def journey_pause(*, journey: Journey, by: Actor = None) -> Journey:
    """Stop entries and hold every enrollment where it is (wake-ups wait, events are held);
    messages still waiting to be sent are cancelled ("the journey was paused")."""
    journey = _set_status(journey, by, Journey.Status.PAUSED, allowed=(Journey.Status.LIVE,))
    outbox_cancel_unwanted(now=timezone.now(), journey_id=journey.pk)
    return journey


@transaction.atomic
def journey_resume(*, journey: Journey, by: Actor = None) -> Journey:
    """Let a paused journey run again; overdue wake-ups fire at the next sweep."""
    return _set_status(journey, by, Journey.Status.LIVE, allowed=(Journey.Status.PAUSED,))


@transaction.atomic
def journey_archive(*, journey: Journey, by: Actor = None) -> Journey:
    """Archive a journey: no more entries, and open enrollments exit."""
    journey = _set_status(
        journey,
        by,
        Journey.Status.ARCHIVED,
        allowed=(Journey.Status.DRAFT, Journey.Status.LIVE, Journey.Status.PAUSED),
    )
    now = timezone.now()
    open_rows = Enrollment.objects.filter(journey=journey, state__in=Enrollment.OPEN_STATES)
    ended = list(open_rows.values_list("pk", "contact_id"))
    enrollments_end_open(enrollment_ids=[pk for pk, _ in ended], outcome="archived", now=now)
    open_rows.update(
        state=Enrollment.State.EXITED,
        wake_at=None,
        finished_at=now,
        updated_at=now,
        revision=F("revision") + 1,
    )
    outbox_cancel_unwanted(now=now, journey_id=journey.pk)
    archived = line("journey.archived", "Exited: the journey was archived.")
    _trace_each(journey, now, [(pk, contact_id, archived) for pk, contact_id in ended])
    return journey


def _set_status(
    journey: Journey,
    by: Actor,
    status: str,
    *,
    allowed: tuple[str, ...],
) -> Journey:
    journey = Journey.objects.select_for_update().get(pk=journey.pk)
    if journey.status not in allowed:
        raise JourneyStateError(
            f'Journey "{journey.key}" is {journey.status}; it cannot become {status}.'
        )
    if status != Journey.Status.ARCHIVED and journey.current_version_id is None:
        raise JourneyStateError(f'Journey "{journey.key}" has no published version yet.')
    before = journey.status
    journey.status = status
    journey.updated_at = timezone.now()
    journey.save(update_fields=["status", "updated_at"])
    _audit(
        journey=journey,
        by=by,
        action=str(status),
        summary=f"{before} → {status}",
        diff={"status": {"from": before, "to": status}},
    )
    return journey


def _draft_is_published(journey: Journey) -> bool:
    version = journey.current_version
    return version is not None and version.spec == journey.draft_spec


def _user(by: Actor) -> User | None:
    """The staff user behind a change, if any (AUTH_USER_MODEL is Django's User)."""
    return cast(User, by) if by is not None and by.is_authenticated else None


def _audit(
    *,
    journey: Journey,
    by: Actor,
    action: str,
    summary: str,
    diff: dict[str, Any],
) -> AuditEntry:
    user = _user(by)
    return AuditEntry.objects.create(
        actor=user,
        actor_label=user.get_username() if user is not None else "system",
        action=action,
        journey=journey,
        summary=summary,
        diff=diff,
        at=timezone.now(),
    )


def spec_diff(old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> dict[str, Any]:
    """What changed between two documents: top-level fields, and steps by id."""
    old = old or {}
    fields = {
        key: {"from": old.get(key), "to": new.get(key)}
        for key in sorted(set(old) | set(new))
        if key != "steps" and old.get(key) != new.get(key)
    }
    old_steps = {step["id"]: step for step in old.get("steps", [])}
    new_steps = {step["id"]: step for step in new.get("steps", [])}
    changed = {}
    for step_id in sorted(old_steps.keys() & new_steps.keys()):
        before, after = old_steps[step_id], new_steps[step_id]
        delta = {
            key: {"from": before.get(key), "to": after.get(key)}
            for key in sorted(set(before) | set(after))
            if before.get(key) != after.get(key)
        }
        if delta:
            changed[step_id] = delta
    return {
        "fields": fields,
        "steps_added": [step_id for step_id in new_steps if step_id not in old_steps],
        "steps_removed": [step_id for step_id in old_steps if step_id not in new_steps],
        "steps_changed": changed,
    }
