"""What the canvas page shows for a document: cards, lanes, the trigger card, the
palette, live counts, undo/redo. Reads only; the views render it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from channels.conf import quiet_hours
from channels.registry import channel_facts
from journeys.builder.cards import canvas_layout, step_cards
from journeys.builder.checks import (
    LINT_DAYS,
    channel_checks,
    draft_checks,
    empty_variable_checks,
    stopped_checks,
    unknown_variable_checks,
)
from journeys.builder.drafts import history_tops
from journeys.builder.dryrun import default_script
from journeys.builder.forms import step_editor as editors
from journeys.builder.graph import steps_of
from journeys.builder.language_checks import language_audience_checks
from journeys.builder.layout import Card, Fork, Jump
from journeys.builder.names import draft_names, step_name
from journeys.builder.reach import draft_reach
from journeys.builder.reach_checks import reach_checks
from journeys.builder.rules import trigger_words
from journeys.builder.selectors import (
    catalogue_events,
    open_by_step,
    passed_by_step,
    problems_by_step,
    recent_contact_ids,
    recent_event_names,
    recent_people,
    same_trigger_journeys,
    stopped_people,
    trait_keys,
)
from journeys.builder.typed import parsed_steps
from journeys.core.steps import STEP_TYPES, palette
from journeys.models import Journey
from journeys.run.journeys import journey_parse


def outlet_label(raw: Mapping[str, Any], key: str) -> str:
    return editors.editor_for(str(raw.get("type", ""))).outlet_label(raw, key)


def canvas_context(
    journey: Journey, *, document: Mapping[str, Any] | None = None, read_only: bool = False
) -> dict[str, Any]:
    """Everything the canvas fragment needs, for the draft (or a version's `document`)."""
    document = journey.draft_spec if document is None else document
    events = catalogue_events()
    trigger = trigger_words(document)
    seen = {event.name: event for event in events}
    undo, redo = history_tops(journey) if not read_only else (None, None)
    layout = canvas_layout(document, outlets=editors.outlets, outlet_label=outlet_label)
    cards = step_cards(document, quiet=quiet_hours_by_channel(document))
    counts = step_counts(journey)
    base = reverse("builder:canvas", args=[journey.key])
    return {
        "journey": journey,
        "document": document,
        "items": drawn(layout.items, cards, counts),
        "unconnected": [drawn(group, cards, counts) for group in layout.unconnected],
        "start_slot": layout.start,
        "cards": cards,
        "trigger": trigger,
        "trigger_event": seen.get(trigger["event"]),
        "palette": palette(),
        # Drawn once, not once per "+": the canvas of a long journey has hundreds of them.
        "palette_html": render_to_string(
            "journeys/builder/_palette.html", {"palette": palette(), "insert": f"{base}insert/"}
        ),
        "base": base,
        "catalogue": events,
        "undo": undo,
        "redo": redo,
        "revision": journey.draft_revision,
        "read_only": read_only,
        "dry_script": default_script(document),
    }


@dataclass(frozen=True)
class StepCounts:
    """The live journey's people per step id, as the cards show them."""

    here: Mapping[str, int] = field(default_factory=dict)
    passed: Mapping[str, int] = field(default_factory=dict)
    problems: Mapping[str, int] = field(default_factory=dict)  # within LINT_DAYS

    def of(self, node: str) -> dict[str, int]:
        return {
            "here": self.here.get(node, 0),
            "passed": self.passed.get(node, 0),
            "problems": self.problems.get(node, 0),
        }


def step_counts(journey: Journey) -> StepCounts:
    if journey.current_version_id is None:
        return StepCounts()
    since = timezone.now() - timedelta(days=LINT_DAYS)
    return StepCounts(
        here=open_by_step(journey),
        passed=passed_by_step(journey),
        problems=problems_by_step(journey_id=journey.pk, since=since),
    )


def drawn(
    items: Any, cards: Mapping[str, Any], counts: StepCounts | None = None
) -> list[dict[str, Any]]:
    """Layout items as plain dicts the templates can draw (kind, card, slot, lanes)."""
    counts = counts or StepCounts()
    found: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, Card):
            card = cards.get(item.node)
            found.append(
                {"kind": "card", "card": card, "slot": item.slot, "where": _after(card)}
                | counts.of(item.node)
            )
        elif isinstance(item, Fork):
            fork = cards.get(item.node)
            lanes = [
                {
                    "label": lane.outcome.label,
                    "slot": lane.slot,
                    "where": _lane_top(lane.outcome.label, fork),
                    "items": drawn(lane.items, cards, counts),
                }
                for lane in item.lanes
            ]
            found.append(
                {"kind": "fork", "card": cards.get(item.node), "lanes": lanes}
                | counts.of(item.node)
            )
        elif isinstance(item, Jump):
            found.append(
                {
                    "kind": "jump",
                    "target": _name(item.target, cards),
                    "back": item.back,
                    "target_id": item.target,
                }
            )
        else:
            found.append({"kind": "end"})
    return found


def _name(step_id: str, cards: Mapping[str, Any]) -> str:
    card = cards.get(step_id)
    return card.name if card is not None else step_name(step_id)


def _after(card: Any) -> str:
    """Where a "+" below a card adds a step, for its label ("after “Welcome email”")."""
    return f"after “{card.name}”" if card is not None else "here"


def _lane_top(label: str, fork: Any) -> str:
    """Where a lane's first "+" adds a step ("at the top of the “Yes” lane of “Has a phone”")."""
    of = f" of “{fork.name}”" if fork is not None else ""
    return f"at the top of the “{label}” lane{of}"


def quiet_hours_by_channel(document: Mapping[str, Any]) -> dict[str, tuple[time, time]]:
    """Each message channel's quiet hours as the channels apply them (none: not listed)."""
    found = {}
    for step in steps_of(document):
        channel = str(step.get("channel") or "")
        step_type = STEP_TYPES.get(str(step.get("type", "")))
        if step_type is not None and step_type.previews and channel and channel not in found:
            hours = quiet_hours(channel)
            if hours is not None:
                found[channel] = (hours.start, hours.end)
    return found


def checks_for(journey: Journey) -> list[Any]:
    """The validation panel's problems for the journey's draft."""
    events = catalogue_events()
    document = journey.draft_spec
    trigger = trigger_words(document)["event"]
    found = draft_checks(
        document,
        parse=lambda data: journey_parse(data=data),
        steps=parsed_steps(document, channel_facts()),
        recent_events=recent_event_names(events, now=timezone.now(), days=LINT_DAYS),
        known_events=[event.name for event in events],
        same_trigger=same_trigger_journeys(journey, trigger),
    )
    people = recent_people(trigger, now=timezone.now(), days=LINT_DAYS)
    found += empty_variable_checks(document, people=people, event=trigger)
    found += language_audience_checks(document, people=people, event=trigger)
    reached = recent_contact_ids(trigger, now=timezone.now(), days=LINT_DAYS)
    found += channel_checks(document, contact_ids=reached, event=trigger)
    found += unknown_variable_checks(document, traits=trait_keys())
    found += reach_checks(
        document,
        scopes=draft_reach(document),
        properties={event.name: event.properties for event in events},
    )
    since = timezone.now() - timedelta(days=LINT_DAYS)
    stopped = stopped_people(journey_id=journey.pk, since=since)
    return found + stopped_checks(stopped, draft_names(document))
