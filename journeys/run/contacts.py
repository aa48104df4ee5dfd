"""Contacts: resolving who sent an event, identify, group, alias and merge."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from journeys.core.traits import extract_known_traits
from journeys.models import Contact, ContactAlias, DecisionTrace, Enrollment, Event, Subscription
from journeys.people.ingest import Incoming
from journeys.run.outbox import outbox_cancel_unwanted, outbox_contact_messages_move
from journeys.run.rollups import enrollments_end_open

_RESTRICTIVE = [
    Subscription.State.COMPLAINED,
    Subscription.State.BOUNCED,
    Subscription.State.UNSUBSCRIBED,
]


def contacts_resolve(
    *, messages: Sequence[Incoming], source_id: int, now: datetime
) -> dict[tuple[str, str], int]:
    """Map every ("user", id) and ("anon", id) in the messages to a contact id, creating
    the contacts that don't exist yet. Few queries whatever the batch size."""
    user_ids = {m.user_id for m in messages if m.user_id}
    anon_ids = {m.anonymous_id for m in messages if m.anonymous_id}
    resolved: dict[tuple[str, str], int] = {}
    resolved.update(_users(user_ids, source_id=source_id, now=now))
    if anon_ids:
        aliases = ContactAlias.objects.filter(anonymous_id__in=anon_ids)
        resolved.update(
            {("anon", a): c for a, c in aliases.values_list("anonymous_id", "contact_id")}
        )
        lone = {m.anonymous_id for m in messages if m.anonymous_id and not m.user_id}
        for anon in sorted(lone - {key for kind, key in resolved if kind == "anon"}):
            resolved[("anon", anon)] = _anonymous_contact(anon, source_id=source_id, now=now)
    return resolved


def _users(user_ids: Iterable[str], *, source_id: int, now: datetime) -> dict[tuple[str, str], int]:
    user_ids = set(user_ids)
    if not user_ids:
        return {}
    found = dict(Contact.objects.filter(user_id__in=user_ids).values_list("user_id", "id"))
    missing = user_ids - found.keys()
    if missing:
        Contact.objects.bulk_create(
            [
                Contact(user_id=u, source_id=source_id, first_seen_at=now, last_seen_at=now)
                for u in sorted(missing)
            ],
            ignore_conflicts=True,
        )
        found.update(Contact.objects.filter(user_id__in=missing).values_list("user_id", "id"))
    return {("user", str(u)): c for u, c in found.items()}


def _anonymous_contact(anonymous_id: str, *, source_id: int, now: datetime) -> int:
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                source_id=source_id, first_seen_at=now, last_seen_at=now
            )
            ContactAlias.objects.create(anonymous_id=anonymous_id, contact=contact)
            return contact.pk
    except IntegrityError:  # another request created it first
        return ContactAlias.objects.get(anonymous_id=anonymous_id).contact_id


def contact_link_anonymous(
    *, contact_id: int, anonymous_id: str, known_owner: int | None
) -> int | None:
    """Tie an anonymousId to an identified contact, merging an anonymous owner into it;
    return the id of the contact merged away, if any.

    An anonymousId already owned by another identified contact is left alone."""
    if known_owner is None:
        ContactAlias.objects.get_or_create(
            anonymous_id=anonymous_id, defaults={"contact_id": contact_id}
        )
        return None
    if known_owner == contact_id:
        return None
    owner = Contact.objects.filter(pk=known_owner).first()
    if owner is None or owner.user_id is not None:
        return None
    contact_merge(source=owner, into=Contact.objects.get(pk=contact_id))
    return known_owner


def contact_apply_traits(*, contact: Contact, message: Incoming) -> Contact:
    """Merge an identify's traits into the contact; well-known ones fill their own fields."""
    contact.traits = {**contact.traits, **(message.traits or {})}
    if message.known is not None:
        for name, value in message.known.as_fields().items():
            setattr(contact, name, value)
    return contact


def contact_apply_group(*, contact: Contact, message: Incoming) -> Contact:
    groups = dict(contact.groups)
    groups[message.group_id] = {**groups.get(message.group_id, {}), **(message.traits or {})}
    contact.groups = groups
    return contact


@transaction.atomic
def contact_merge(*, source: Contact, into: Contact) -> Contact:
    """Move everything of `source` (events, anonymous ids, traits, opt-outs) into `into`,
    then delete `source`. Existing values of `into` win; an opt-out on either side wins."""
    if source.pk == into.pk:
        return into
    Event.objects.filter(contact=source).update(contact=into)
    ContactAlias.objects.filter(contact=source).update(contact=into)
    _merge_subscriptions(source, into)
    into.traits = {**source.traits, **into.traits}
    into.groups = {**source.groups, **into.groups}
    for name in ("email", "phone", "first_name", "last_name", "timezone", "locale"):
        if not getattr(into, name):
            setattr(into, name, getattr(source, name))
    into.first_seen_at = min(into.first_seen_at, source.first_seen_at)
    into.last_seen_at = max(into.last_seen_at, source.last_seen_at)
    _merge_enrollments(source, into)
    outbox_contact_messages_move(source_id=source.pk, into_id=into.pk)
    source.delete()
    into.save()
    return into


def _merge_enrollments(source: Contact, into: Contact) -> None:
    """Move enrollments and traces; where both are open in one journey, the known
    contact's trip goes on and the anonymous one's ends as exited."""
    open_journeys = Enrollment.objects.filter(
        contact=into, state__in=Enrollment.OPEN_STATES
    ).values("journey_id")
    now = timezone.now()
    ending = Enrollment.objects.filter(
        contact=source, state__in=Enrollment.OPEN_STATES, journey_id__in=open_journeys
    )
    ended = list(ending.values_list("pk", flat=True))
    enrollments_end_open(enrollment_ids=ended, outcome="merged", now=now)
    ending.update(state=Enrollment.State.EXITED, wake_at=None, finished_at=now, updated_at=now)
    outbox_cancel_unwanted(now=now, enrollment_ids=ended)
    Enrollment.objects.filter(contact=source).update(contact=into)
    DecisionTrace.objects.filter(contact=source).update(contact=into)


def _merge_subscriptions(source: Contact, into: Contact) -> None:
    theirs = {s.channel: s for s in Subscription.objects.filter(contact=source)}
    ours = {s.channel: s for s in Subscription.objects.filter(contact=into)}
    for channel, sub in theirs.items():
        mine = ours.get(channel)
        if mine is None:
            Subscription.objects.filter(pk=sub.pk).update(contact=into)
        elif sub.state in _RESTRICTIVE and mine.state == Subscription.State.SUBSCRIBED:
            Subscription.objects.filter(pk=mine.pk).update(
                state=sub.state, reason=sub.reason, changed_at=sub.changed_at
            )


def contact_alias(
    *, previous_id: str, user_id: str, source_id: int, now: datetime
) -> tuple[int, int | None]:
    """Segment alias: previousId (an anonymousId or an old userId) becomes userId.

    Return the contact's id and the id of a contact merged away, if any."""
    target = Contact.objects.filter(user_id=user_id).first()
    alias = ContactAlias.objects.filter(anonymous_id=previous_id).select_related("contact").first()
    previous = alias.contact if alias else Contact.objects.filter(user_id=previous_id).first()
    if target is None and previous is not None:
        previous.user_id = user_id
        previous.save(update_fields=["user_id"])
        return previous.pk, None
    if target is None:
        target = Contact.objects.create(
            user_id=user_id, source_id=source_id, first_seen_at=now, last_seen_at=now
        )
        ContactAlias.objects.create(anonymous_id=previous_id, contact=target)
        return target.pk, None
    merged = None
    if previous is not None and previous.pk != target.pk:
        merged = previous.pk
        contact_merge(source=previous, into=target)
    return target.pk, merged


@transaction.atomic
def contact_fill_from_browser(*, contact_id: int, zone: str, language: str) -> list[str]:
    """The widget's guess of the person's time zone and language, kept only where the
    contact has none: what the product sent always wins (the server decides, not the
    widget). Returns the fields filled; raises TraitError for a value that is not one."""
    known = extract_known_traits({"timezone": zone, "locale": language})
    contact = Contact.objects.select_for_update().get(pk=contact_id)
    filled = [
        name
        for name, value in (("timezone", known.timezone), ("locale", known.locale))
        if value and not getattr(contact, name)
    ]
    for name in filled:
        setattr(contact, name, getattr(known, name))
    if filled:
        contact.save(update_fields=filled)
    return filled
