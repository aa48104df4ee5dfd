"""A step type's builder form, declared as pure data (the core cannot import Django).

Each step type lists its fields (`StepType.form`): a label, a kind, help text and the
document key it maps to. The builder (journeys/builder/forms/step_editor.py) turns the
kinds into Django form fields and back, so a step type never writes a form class.

Values cross this boundary in the journey document's own form: a length of time is its
ISO 8601 text ("P2D"), conditions are their raw dicts, variants their raw dicts. The
builder turns them into what staff type ("2 days") and back.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any, ClassVar, Literal
from zoneinfo import ZoneInfo

Kind = Literal[
    "text",  # one line of text
    "long_text",  # several lines of text
    "event",  # an event name (offered from the catalogue)
    "duration",  # a length of time ("2 days"), stored as ISO 8601 ("P2D")
    "wait",  # a length or a local time of day: {"duration": ...} or {"until": {...}}
    "choice",  # one of `choices`
    "channel",  # a channel: every registered one, or those contacts answer on (`replies`)
    "conditions",  # a list of conditions (`subject` limits what they test)
    "variants",  # a message's variants; `depends_on` names the channel field
    "percents",  # whole numbers adding up to 100 ("50, 50")
    "assignments",  # traits to set, one "name = value" a line
    "lines",  # a list of short texts, one a line
    "yes_no",  # a checkbox, kept only when ticked
]


# Document keys that name the next step: the canvas edits them, never the step's form.
PATH_KEYS = frozenset({"next", "then", "else", "on_timeout"})
Timing = tuple[Literal["goes_on", "times_out"], datetime]


@dataclass(frozen=True)
class FormField:
    """One field of a step's form: `key` is its place in the step's document (default:
    `name`). `subject` ("property", ...) limits a condition list to one kind of test;
    `replies` limits a channel field to the channels a contact can answer on; `template`
    says the text is sent to the contact, written for each one (the builder puts its
    "Personalise" picker beside it)."""

    name: str
    label: str
    kind: Kind = "text"
    help: str = ""
    required: bool = True
    choices: tuple[tuple[str, str], ...] = ()
    max_length: int | None = None
    key: str = ""
    subject: str = ""
    depends_on: str = ""
    replies: bool = False
    template: bool = False

    @property
    def document_key(self) -> str:
        return self.key or self.name


@dataclass(frozen=True)
class DraftFacts:
    """What the builder knows of the whole draft when it asks a step for its warnings."""

    # By channel key: the warning for a step sending on a channel whose address (a phone
    # number, ...) nothing in the draft checks the contact has. The builder reads the
    # channels for it; the step type says whether it sends on one.
    address_warnings: Mapping[str, str] = dataclass_field(default_factory=dict)
    language: str = "en"  # the draft's default language (its `language`)


class BuilderSide:
    """What the builder asks of a step type, with defaults a simple type keeps: its form
    (declared, or its fields as text), its ways out, its card's timing and its warnings.
    Every method works on the raw step or the typed spec, never on Django."""

    key: ClassVar[str]
    label: ClassVar[str]
    fields: ClassVar[tuple[str, ...]]
    form: ClassVar[tuple[FormField, ...]]
    blank_step: ClassVar[Mapping[str, Any]]
    has_next: ClassVar[bool]
    previews: ClassVar[bool] = False  # the editor shows a preview and quiet hours
    # The card's colour family on the canvas: sends, waits, forks or ends a path.
    look: ClassVar[Literal["plain", "send", "wait", "fork", "end"]] = "plain"
    ends_journey: ClassVar[bool] = False  # the builder adds one where a path needs an end

    def form_fields(self) -> tuple[FormField, ...]:
        """The declared form; without one, each document field as optional text."""
        if self.form:
            return self.form
        names = [name for name in self.fields if name not in PATH_KEYS]
        return tuple(
            FormField(n, n.replace("_", " ").capitalize(), required=False, max_length=5000)
            for n in names
        )

    def blank(self) -> dict[str, Any]:
        """A new step of this type, as the builder inserts it."""
        rest = copy.deepcopy(dict(self.blank_step))
        first_word = str(self.label).split(" ")[0]
        return {"id": rest.pop("id", first_word), "type": self.key} | rest

    def form_values(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """The form's values from a raw step, in the document's own form."""
        return {f.name: raw.get(f.document_key) for f in self.form_fields()}

    def from_form(self, raw: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """The raw step (paths left to the canvas) from the form's cleaned values."""
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key}
        for field in self.form_fields():
            value = values.get(field.name)
            if value not in (None, "", [], {}) and value != field_default(field):
                step[field.document_key] = value
        return step

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        """The document keys of the step's ways out, in the order the canvas draws them."""
        return ["next"] if self.has_next else []

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        """How the canvas labels the way out at `key`."""
        return "Then"

    def timing(self, step: Any, arrival: datetime, zone: ZoneInfo) -> Timing | None:
        """When someone arriving at `arrival` goes on by themselves, or takes the timeout
        path if they do nothing; None for a step that does not wait on a clock."""
        return None

    def catalogue_events(self, step: Any) -> tuple[str, ...]:
        """Event names staff typed into the step, checked against the events sent lately."""
        return ()

    def warnings(self, step: Any, facts: DraftFacts) -> list[str]:
        """What looks wrong with the step given the whole draft (does not block publishing)."""
        return []


def field_default(field: FormField) -> Any:
    """The value the document leaves out: a choice's first choice, an unticked box."""
    if field.kind == "yes_no":
        return False
    return field.choices[0][0] if field.kind == "choice" and field.choices else None
