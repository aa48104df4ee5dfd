"""What a step of a draft can speak of (journeys.core.scope), and the events the preview
fills it in with: the contact's own latest of each name, else someone's, as a sample."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journeys.core.problems import SpecError
from journeys.core.scope import InReach, Scope, names_in_reach, scopes_at, templates_see
from journeys.models import Event
from journeys.run.engine_views import event_snapshot, event_view
from journeys.run.journeys import journey_parse


def draft_reach(document: Mapping[str, Any]) -> Callable[[str], tuple[Scope, ...]]:
    """The events in reach at a draft's step on each way there (by step id); only the
    trigger's while the draft cannot be read."""
    try:
        spec = journey_parse(data=document)
    except SpecError:
        trigger = document.get("trigger")
        event = str(trigger.get("event") or "") if isinstance(trigger, Mapping) else ""
        return lambda step_id: ((InReach(event),),) if event else ()
    return lambda step_id: scopes_at(spec, step_id) if spec.has_step(step_id) else ()


@dataclass(frozen=True)
class FilledWith:
    """One event the preview used: the contact's own latest, a sample (the latest anyone
    sent, for the sample person), or none (then it is empty, as in delivery)."""

    event: str
    sample: bool
    found: bool

    @property
    def words(self) -> str:
        if not self.found:
            who = "nobody has" if self.sample else "they have not"
            return f"“{self.event}”: {who} sent it yet, so its values are empty"
        return f"“{self.event}”: a sample" if self.sample else f"“{self.event}”: their latest"


def preview_events(
    names: Sequence[str], contact_id: int | None
) -> tuple[dict[str, Any], list[FilledWith]]:
    """`event` and `events` for the preview (as journeys.core.scope.templates_see gives
    delivery): the contact's own latest events of the names in reach, or for the sample
    person (`contact_id` None) anyone's; and what each event was filled with."""
    seen: dict[str, dict[str, Any]] = {}
    filled = []
    for name in names:
        found = _latest(name, contact_id)
        if found is not None:
            seen[name] = event_snapshot(event_view(found))
        filled.append(FilledWith(name, sample=contact_id is None, found=found is not None))
    return templates_see(names, seen), filled


def _latest(name: str, contact_id: int | None) -> Event | None:
    rows = Event.objects.filter(name=name, type=Event.Type.TRACK)
    if contact_id is not None:
        rows = rows.filter(contact_id=contact_id)
    return rows.order_by("-timestamp", "-pk").first()


def reach_names(document: Mapping[str, Any], step_id: str) -> tuple[str, ...]:
    return names_in_reach(draft_reach(document)(step_id))
