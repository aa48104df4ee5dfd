"""Backtest: replay the real events of the last N days through a journey's spec, with the
pure engine in virtual time (journeys.core.simulate), and count what would have happened.

Nothing is sent, and nothing is stored: no enrollment, visit, message or trace rows."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from journeys.core.engine import spec_event_names
from journeys.core.languages import language_name
from journeys.core.simulate import ScriptEvent, simulate
from journeys.core.spec import JourneySpec
from journeys.models import Contact, Event
from journeys.run.engine_views import contact_view

CONTACT_CHUNK = 500


@dataclass
class BacktestResult:
    """Counts of a backtest: contacts, enrollments, step reach, messages per day, conversions."""

    key: str
    since: datetime
    until: datetime
    contacts_triggered: int = 0
    entered: int = 0
    not_enrolled: int = 0
    converted: int = 0
    completed: int = 0
    exited: int = 0
    reached: Counter[str] = field(default_factory=Counter)
    messages: Counter[tuple[date, str]] = field(default_factory=Counter)
    # Messages written in several languages, by the version sent ("" the default).
    languages: Counter[str] = field(default_factory=Counter)


def backtest(spec: JourneySpec, *, since: datetime, until: datetime) -> BacktestResult:
    """Replay every contact's events between `since` and `until` through `spec`."""
    result = BacktestResult(key=spec.key, since=since, until=until)
    for contact, script in _scripts(spec, since=since, until=until):
        _replay(result, spec, contact, script, until)
    return result


def _replay(
    result: BacktestResult,
    spec: JourneySpec,
    contact: Contact,
    script: list[ScriptEvent],
    until: datetime,
) -> None:
    if not any(item.name == spec.trigger.event for item in script):
        return
    result.contacts_triggered += 1
    horizon = max(until - script[-1].at, timedelta(0))
    run = simulate(spec, contact=contact_view(contact), script=script, start=script[0].at,
                   horizon=horizon)  # fmt: skip
    result.entered += run.enrollments
    result.not_enrolled += 1 if run.enrollments == 0 else 0
    steps = {entry.text.split(" (")[0] for entry in run.entries if entry.kind == "step"}
    result.reached.update(steps)
    sends = [entry for entry in run.entries if entry.kind == "send"]
    for command, entry in zip(run.sent, sends, strict=True):
        result.messages[(entry.at.date(), command.channel)] += 1
        if command.language_reason:
            result.languages[command.language] += 1
    finishes = Counter(entry.kind for entry in run.entries)
    result.converted += finishes["converted"]
    result.completed += finishes["completed"]
    result.exited += finishes["exited"]


def _scripts(
    spec: JourneySpec, *, since: datetime, until: datetime
) -> Iterator[tuple[Contact, list[ScriptEvent]]]:
    """Each contact's relevant events in the window, oldest first, streamed in chunks."""
    rows = (
        Event.objects.filter(name__in=spec_event_names(spec), timestamp__gte=since)
        .filter(timestamp__lte=until)
        .order_by("contact_id", "timestamp", "pk")
        .values_list("contact_id", "name", "properties", "timestamp")
        .iterator(chunk_size=5000)
    )
    pending: list[tuple[int, list[ScriptEvent]]] = []
    for contact_id, script in _group(rows):
        pending.append((contact_id, script))
        if len(pending) >= CONTACT_CHUNK:
            yield from _with_contacts(pending)
            pending = []
    yield from _with_contacts(pending)


def _group(rows: Iterable[tuple]) -> Iterator[tuple[int, list[ScriptEvent]]]:
    current: int | None = None
    script: list[ScriptEvent] = []
    for contact_id, name, properties, stamp in rows:
        if contact_id != current and script:
            yield current, script  # type: ignore[misc]
            script = []
        current = contact_id
        script.append(ScriptEvent(at=stamp, name=name, properties=properties or {}))
    if script:
        yield current, script  # type: ignore[misc]


def _with_contacts(
    pending: list[tuple[int, list[ScriptEvent]]],
) -> Iterator[tuple[Contact, list[ScriptEvent]]]:
    contacts = Contact.objects.select_related("source").in_bulk([pk for pk, _ in pending])
    for contact_id, script in pending:
        if contact_id in contacts:
            yield contacts[contact_id], script


def format_backtest(result: BacktestResult, spec: JourneySpec, *, source: str) -> str:
    """The report printed by `manage.py backtest_journey`."""
    lines = [
        f'Backtest of "{result.key}" ({source}) on events from {result.since:%Y-%m-%d %H:%M} '
        f"to {result.until:%Y-%m-%d %H:%M} UTC. Nothing was sent or stored.",
        "",
        f"Contacts who triggered it:  {result.contacts_triggered}",
        f"Would have entered:         {result.entered}",
        f"Not enrolled:               {result.not_enrolled}",
        f"Converted:                  {result.converted}{_share(result.converted, result.entered)}",
        f"Completed:                  {result.completed}",
        f"Exited:                     {result.exited}",
        "",
        "Reached each step (contacts):",
    ]
    width = max([len(step.id) for step in spec.steps] + [4])
    lines += [f"  {step.id:<{width}}  {result.reached[step.id]:>7}" for step in spec.steps]
    lines += ["", "Messages per day:"]
    channels = sorted({channel for _, channel in result.messages})
    if not channels:
        return "\n".join([*lines, "  (none)"])
    lines.append("  " + "day".ljust(10) + "".join(f"  {c:>7}" for c in channels))
    for day in sorted({day for day, _ in result.messages}):
        counts = "".join(f"  {result.messages[(day, c)]:>7}" for c in channels)
        lines.append(f"  {day:%Y-%m-%d}{counts}")
    totals = "".join(
        f"  {sum(n for (_, ch), n in result.messages.items() if ch == c):>7}" for c in channels
    )
    lines.append("  " + "total".ljust(10) + totals)
    return "\n".join(lines + _language_lines(result, spec))


def _language_lines(result: BacktestResult, spec: JourneySpec) -> list[str]:
    """How many messages went out in each language version (when there were several)."""
    if not result.languages:
        return []
    lines = ["", "Messages in several languages, by the version sent:"]
    for code, count in sorted(result.languages.items(), key=lambda item: -item[1]):
        name = language_name(code or spec.language) or code or spec.language
        default = " (the default version)" if not code else ""
        lines.append(f"  {name}{default}: {count}")
    return lines


def _share(part: int, whole: int) -> str:
    return f" ({100 * part / whole:.1f} %)" if whole else ""
