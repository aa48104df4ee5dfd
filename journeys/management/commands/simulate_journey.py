"""Dry run of a journey for one contact: the timeline in virtual time, nothing sent."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from channels.registry import channel_facts
from journeys.core.clock import SystemClock
from journeys.core.engine import ContactView
from journeys.core.format import parse_journey
from journeys.core.problems import SpecError
from journeys.core.simulate import format_timeline, parse_script, simulate
from journeys.core.spec import JourneySpec
from journeys.run.selectors import journey_spec_for_key


class Command(BaseCommand):
    help = (
        "Print the timeline one contact would get from a journey (KEY in the database, or "
        "a JSON file), driving the engine in virtual time. Nothing is sent or stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("journey", help="journey key, or path to a journey JSON file")
        parser.add_argument(
            "--events",
            required=True,
            help='script JSON: [{"at": "+1h" or ISO time, "event": name, "properties": {}}] '
            'or {"contact": {...}, "events": [...]}',
        )
        parser.add_argument(
            "--contact",
            help='contact JSON: traits ({"email": ..., "timezone": ...}) or '
            '{"id": ..., "traits": {...}, "timezone": ...}',
        )
        parser.add_argument("--start", help="virtual start time, ISO 8601 (default: now)")

    def handle(self, *args: Any, **options: Any) -> None:
        spec = _load_spec(options["journey"])
        script = _read_json(options["events"])
        contact_data = script.get("contact", {}) if isinstance(script, dict) else {}
        if options["contact"]:
            contact_data = _read_json(options["contact"])
        events = script.get("events", []) if isinstance(script, dict) else script
        start = _start(options["start"])
        try:
            items = parse_script(events, start=start)
        except ValueError as exc:
            raise CommandError(f"{options['events']}: {exc}") from None
        contact = _contact(contact_data)
        result = simulate(spec, contact=contact, script=items, start=start)
        self.stdout.write(f"Dry run of {spec.key} ({spec.name}) for contact {contact.id}")
        self.stdout.write(f"time zone {contact.zone().key}; nothing is sent or stored\n")
        self.stdout.write(format_timeline(result, start=start))
        final = result.final.state if result.final is not None else "not enrolled"
        self.stdout.write(f"\n{len(result.sent)} message(s) would be sent; final state: {final}")


def _load_spec(target: str) -> JourneySpec:
    path = Path(target)
    if path.suffix == ".json" or path.is_file():
        try:
            return parse_journey(_read_json(target), channels=channel_facts())
        except SpecError as exc:
            raise CommandError(f"{target} is not a valid journey:\n{exc}") from None
    try:
        return journey_spec_for_key(target)
    except KeyError:
        raise CommandError(f'No journey with key "{target}" (and no such file).') from None


def _read_json(name: str) -> Any:
    try:
        return json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        raise CommandError(f"cannot read {name}: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise CommandError(f"{name} is not JSON: {exc}") from None


def _start(text: str | None) -> datetime:
    if not text:
        return SystemClock().now().replace(second=0, microsecond=0)

    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise CommandError("--start needs a UTC offset, e.g. 2026-11-25T09:00:00+00:00")
    return moment


def _contact(data: Any) -> ContactView:
    if not isinstance(data, dict):
        raise CommandError("the contact must be a JSON object")
    traits = data["traits"] if isinstance(data.get("traits"), dict) else data
    return ContactView(
        id=data.get("id", "dry-run"),
        traits=traits,
        timezone=str(data.get("timezone") or traits.get("timezone") or ""),
        source_timezone=str(data.get("source_timezone") or ""),
        site_timezone=settings.TIME_ZONE,
    )
