"""What changed between two journey documents, in sentences staff read.

"Added step “SMS nudge” (Send a message)", "Changed the subject of “Welcome email”
(variant A) from “Hi” to “Hello”", "Changed the time limit of “Wait for a note” from
2 days to 3 days". Pure: it reads raw "stepwise.journey/1" documents, valid or not, so
that a draft being built can be compared with the live version at any moment.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from journeys.builder.diff_locales import locale_changes
from journeys.builder.names import condition_words, duration_text, name_of, step_name
from journeys.builder.words import LocalTime, local_time_words
from journeys.core.durations import parse_time_of_day
from journeys.core.languages import language_name

TypeLabel = Callable[[str], str]

_FIELD_WORDS = {
    "name": "name",
    "description": "description",
    "subject": "subject",
    "preheader": "preheader",
    "body": "text",
    "url": "link",
    "image": "image",
    "weight": "weight",
    "channel": "channel",
    "event": "event",
    "where": "filters",
    "timeout": "time limit",
    "duration": "wait",
    "until": "wait",
    "conditions": "conditions",
    "match": "match rule",
    "set": "traits it sets",
    "to": "recipient",
    "text": "text",
    "within": "time window",
    "question": "question",
    "replies": "buttons",
    "choices": "choices",
    "retry": "re-ask",
}
_TARGET_FIELDS = {"next", "then", "else", "on_timeout"}
_DURATION_FIELDS = {"timeout", "duration", "within"}
_CONDITION_FIELDS = {"where", "conditions"}
_QUOTE_LIMIT = 60


@dataclass(frozen=True)
class Change:
    """One change in words; `step` is the id of the step it is about, if any."""

    text: str
    step: str | None = None


def document_changes(
    old: Mapping[str, Any] | None, new: Mapping[str, Any], *, type_label: TypeLabel = str
) -> list[Change]:
    """Every change from `old` (None: nothing yet) to `new`, journey settings first."""
    old = old or {}
    changes = _settings_changes(old, new)
    old_steps = _steps_by_id(old)
    new_steps = _steps_by_id(new)
    renamed = _renames(old_steps, new_steps)
    for old_id, new_id in renamed.items():
        text = f"Renamed step {_q(name_of(old_steps[old_id]))} to {_q(name_of(new_steps[new_id]))}"
        changes.append(Change(text, new_id))
    for step_id, raw in new_steps.items():
        if step_id not in old_steps and step_id not in renamed.values():
            label = type_label(str(raw.get("type", "")))
            changes.append(Change(f"Added step {_q(name_of(raw))} ({label})", step_id))
    for step_id, raw in old_steps.items():
        if step_id not in new_steps and step_id not in renamed:
            label = type_label(str(raw.get("type", "")))
            changes.append(Change(f"Removed step {_q(name_of(raw))} ({label})", step_id))
    for step_id, after in new_steps.items():
        before_id = next((b for b, a in renamed.items() if a == step_id), step_id)
        before = old_steps.get(before_id)
        if before is not None:
            changes += _step_changes(step_id, before, after, renamed, type_label)
    return changes


def change_texts(changes: Sequence[Change]) -> list[str]:
    return [change.text for change in changes]


def summarize(changes: Sequence[Change], *, limit: int = 3) -> str:
    """One line for an audit entry or an undo button: the first few changes."""
    if not changes:
        return "No change"
    texts = [change.text for change in changes[:limit]]
    more = len(changes) - limit
    if more > 0:
        texts.append(f"and {more} more change{'s' if more > 1 else ''}")
    return "; ".join(texts)


def _settings_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Change]:
    changes = []
    for key, field_words in (("name", "the name"), ("description", "the description")):
        if old.get(key, "") != new.get(key, ""):
            text = f"Changed {field_words} from {_show(old.get(key))} to {_show(new.get(key))}"
            changes.append(Change(text))
    if old.get("language", "en") != new.get("language", "en"):
        was, now = (language_name(str(d.get("language", "en"))) for d in (old, new))
        changes.append(Change(f"Changed the default version's language from {was} to {now}"))
    changes += _rule_changes("trigger", old.get("trigger"), new.get("trigger"))
    if old.get("audience", []) != new.get("audience", []):
        changes.append(
            Change(
                f"Changed who may enter (was: {_conditions(old.get('audience'), 'everyone')}; "
                f"now: {_conditions(new.get('audience'), 'everyone')})"
            )
        )
    changes += _rule_changes("goal", old.get("goal"), new.get("goal"))
    if old.get("exit", []) != new.get("exit", []):
        changes.append(
            Change(
                f"Changed the exit events from {_exits(old.get('exit'))} to "
                f"{_exits(new.get('exit'))}"
            )
        )
    if old.get("reentry", "never") != new.get("reentry", "never"):
        reentry = {"never": "never", "after_exit": "again after they leave"}
        changes.append(
            Change(
                f"Changed re-entry from {reentry.get(old.get('reentry', 'never'), '?')} to "
                f"{reentry.get(new.get('reentry', 'never'), '?')}"
            )
        )
    return changes


def _rule_changes(kind: str, old: Any, new: Any) -> list[Change]:
    old = old if isinstance(old, Mapping) else {}
    new = new if isinstance(new, Mapping) else {}
    if old == new:
        return []
    if not old:
        return [Change(f"Set the {kind}: {_rule(new)}")]
    if not new:
        return [Change(f"Removed the {kind} ({_rule(old)})")]
    return [Change(f"Changed the {kind} from {_rule(old)} to {_rule(new)}")]


def _rule(raw: Mapping[str, Any]) -> str:
    text = _q(str(raw.get("event") or "no event"))
    if raw.get("where"):
        text += f" where {_conditions(raw['where'], '', of_event=True)}"
    if raw.get("within"):
        text += f" within {duration_text(raw['within'])}"
    return text


def _exits(raw: Any) -> str:
    if not raw:
        return "none"
    return ", ".join(_rule(rule) for rule in raw if isinstance(rule, Mapping)) or "none"


def _conditions(raw: Any, empty: str, *, of_event: bool = False) -> str:
    if not raw or not isinstance(raw, list):
        return empty
    return " and ".join(condition_words(item, of_event=of_event) for item in raw)


def _steps_by_id(document: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    steps = document.get("steps")
    if not isinstance(steps, list):
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for position, raw in enumerate(steps):
        if isinstance(raw, Mapping):
            found.setdefault(str(raw.get("id") or f"step {position + 1}"), raw)
    return found


def _renames(
    old_steps: Mapping[str, Mapping[str, Any]], new_steps: Mapping[str, Mapping[str, Any]]
) -> dict[str, str]:
    """Removed ids whose step reappears, unchanged but for its id, under an added id."""
    removed = [step_id for step_id in old_steps if step_id not in new_steps]
    added = [step_id for step_id in new_steps if step_id not in old_steps]
    renames: dict[str, str] = {}
    for before in removed:
        body = _without_id(old_steps[before])
        for after in added:
            if after not in renames.values() and _without_id(new_steps[after]) == body:
                renames[before] = after
                break
    return renames


def _without_id(raw: Mapping[str, Any]) -> str:
    body = {key: value for key, value in raw.items() if key not in {"id", "name", *_TARGET_FIELDS}}
    return json.dumps(body, sort_keys=True, default=str)


def _step_changes(
    step_id: str,
    before: Mapping[str, Any],
    after: Mapping[str, Any],
    renamed: Mapping[str, str],
    type_label: TypeLabel,
) -> list[Change]:
    name = _q(name_of(after))
    if before.get("type") != after.get("type"):
        text = (
            f"Changed {name} from {type_label(str(before.get('type')))} to "
            f"{type_label(str(after.get('type')))}"
        )
        return [Change(text, step_id)]
    changes = []
    for key in [*before, *(k for k in after if k not in before)]:
        if key in {"id", "type"} or before.get(key) == after.get(key):
            continue
        if key == "name" and before.get("id") == after.get("id"):  # the same id, new words
            changes.append(Change(f"Renamed step {_q(name_of(before))} to {name}", step_id))
        elif key == "name":
            continue  # a new id too: said once, with the renames
        elif key == "variants":
            changes += _variant_changes(step_id, name, before.get(key), after.get(key))
        elif key == "locales":
            changes += _locales(step_id, name, before.get(key), after.get(key))
        elif key == "paths":
            changes += _path_changes(step_id, name, before.get(key), after.get(key), renamed)
        elif key in _TARGET_FIELDS:
            old_target = renamed.get(str(before.get(key)), before.get(key))
            if old_target != after.get(key):
                text = (
                    f"{name}: {_way(key)} now goes to {_target(after.get(key))} "
                    f"(was {_target(before.get(key))})"
                )
                changes.append(Change(text, step_id))
        else:
            changes.append(
                Change(
                    f"Changed the {_field(key)} of {name} from {_value(key, before.get(key))} "
                    f"to {_value(key, after.get(key))}",
                    step_id,
                )
            )
    return changes


def _variant_changes(step_id: str, name: str, before: Any, after: Any) -> list[Change]:
    old = _variants_by_name(before)
    new = _variants_by_name(after)
    changes = []
    for variant in new:
        if variant not in old:
            changes.append(Change(f"Added variant {variant} to {name}", step_id))
    for variant in old:
        if variant not in new:
            changes.append(Change(f"Removed variant {variant} from {name}", step_id))
    for variant, fields in new.items():
        previous = old.get(variant)
        if previous is None:
            continue
        for key in [*previous, *(k for k in fields if k not in previous)]:
            if key == "name" or previous.get(key) == fields.get(key):
                continue
            if key == "locales":
                where = f"{name} (variant {variant})"
                changes += _locales(step_id, where, previous.get(key), fields.get(key))
                continue
            changes.append(
                Change(
                    f"Changed the {_field(key)} of {name} (variant {variant}) from "
                    f"{_value(key, previous.get(key))} to {_value(key, fields.get(key))}",
                    step_id,
                )
            )
    return changes


def _locales(step_id: str, where: str, before: Any, after: Any) -> list[Change]:
    texts = locale_changes(where, before, after, field=_field, show=_value)
    return [Change(text, step_id) for text in texts]


def _variants_by_name(raw: Any) -> dict[str, Mapping[str, Any]]:
    if not isinstance(raw, list):
        return {}
    found: dict[str, Mapping[str, Any]] = {}
    for position, item in enumerate(raw):
        if isinstance(item, Mapping):
            default = chr(ord("A") + position) if position < 26 else f"V{position + 1}"
            found.setdefault(str(item.get("name") or default), item)
    return found


def _path_changes(
    step_id: str, name: str, before: Any, after: Any, renamed: Mapping[str, str]
) -> list[Change]:
    def words(raw: Any) -> str:
        if not isinstance(raw, list):
            return "none"
        targets = [(item, item.get("next")) for item in raw if isinstance(item, Mapping)]
        parts = [
            f"{item.get('percent')} % to {_target(renamed.get(str(target), target))}"
            for item, target in targets
        ]
        return ", ".join(parts) or "none"

    old_words, new_words = words(before), words(after)
    if old_words == new_words:
        return []
    text = f"Changed the split of {name} from {old_words} to {new_words}"
    return [Change(text, step_id)]


def _way(key: str) -> str:
    return {
        "next": "the next step",
        "then": "the “yes” path",
        "else": "the “no” path",
        "on_timeout": "the path for people who don't do it in time",
    }.get(key, key)


def _target(value: Any) -> str:
    return "the next step in the list" if value in (None, "") else _q(step_name(str(value)))


def _field(key: str) -> str:
    return _FIELD_WORDS.get(key, key.replace("_", " "))


def _value(key: str, value: Any) -> str:
    if value is None or value == "" or value == []:
        return "nothing"
    if key in _DURATION_FIELDS and isinstance(value, str):
        return duration_text(value)
    if key == "until" and isinstance(value, Mapping):
        try:
            at = parse_time_of_day(str(value.get("time", "")))
        except ValueError:
            return _show(value)
        return local_time_words(LocalTime(at, tuple(value.get("weekdays") or ())))
    if key in _CONDITION_FIELDS and isinstance(value, list):
        return _conditions(value, "none")
    if key == "set" and isinstance(value, Mapping):
        return ", ".join(f"{name} = {_show(item)}" for name, item in value.items())
    return _show(value)


def _show(value: Any) -> str:
    if value is None or value == "":
        return "nothing"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return _q(value)
    if isinstance(value, Mapping):
        return _q(", ".join(f"{key}: {_plain(item)}" for key, item in value.items()))
    if isinstance(value, list | tuple):
        return _q(", ".join(_plain(item) for item in value))
    return _q(str(value))


def _plain(value: Any) -> str:
    if isinstance(value, Mapping | list | tuple):
        return _show(value).strip("“”")
    return "yes" if value is True else "no" if value is False else str(value)


def _q(text: str) -> str:
    text = " ".join(str(text).split())
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1] + "…"
    return f"“{text}”"
