"""The side-panel editor of each step type, hung on the step registry (`set_builder`).

An editor turns a raw step into a form and a valid form back into a raw step, and says
which ways out (outcomes) a step has, so the canvas can draw lanes without knowing any
step type. A step type without an editor of its own gets the generic one: its fields
edited as text, so a new type still appears in the palette with a working form.
Lengths of time are typed in words ("2 days") and stored in the format's own form.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django import forms

from channels.base import FIELD_LABELS
from channels.registry import all_channels, chat_channel, get_channel
from journeys.builder.channels import (
    channel_picker,
    first_channel,
    label_fields,
    reply_channel_picker,
)
from journeys.builder.graph import list_at, map_at
from journeys.builder.names import step_name
from journeys.builder.words import (
    LocalTime,
    WordsError,
    iso_length,
    length_words,
    local_time_words,
    parse_length,
    parse_wait,
)
from journeys.core.conditions import OPERATORS
from journeys.core.durations import parse_duration, parse_time_of_day
from journeys.core.steps import STEP_TYPES, set_builder

PATH_KEYS = frozenset({"next", "then", "else", "on_timeout"})
KIND_CHOICES = [
    ("trait", "A trait of the contact"),
    ("property", "A property of the event"),
    ("event", "Something the contact did"),
]
OP_CHOICES = [(key, op.words) for key, op in OPERATORS.items()]


class NameField(forms.CharField):
    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 56)
        kwargs.setdefault("label", "Step name")
        kwargs.setdefault("help_text", "How this step is called on the canvas and in reports.")
        super().__init__(**kwargs)


def _length_field(label: str, help_text: str, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label, help_text=help_text, required=required, max_length=100, strip=True
    )


def _clean_length(value: str) -> str:
    try:
        return iso_length(parse_length(value))
    except WordsError as exc:
        raise forms.ValidationError(str(exc)) from None


def _length_text(iso: Any) -> str:
    try:
        return length_words(parse_duration(iso)) if isinstance(iso, str) else ""
    except ValueError:
        return str(iso)


def read_value(op: str, text: str) -> Any:
    """A condition's value as typed: "free, trial" is a list for "is in"; numbers stay numbers."""
    operator = OPERATORS.get(op)
    if operator is None or operator.takes == "none":
        return None
    if operator.takes == "list":
        return [_scalar(part.strip()) for part in text.split(",") if part.strip()]
    return _scalar(text.strip())


def _scalar(text: str) -> Any:
    lowered = text.lower()
    if lowered in {"true", "yes"}:
        return True
    if lowered in {"false", "no"}:
        return False
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


def value_text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return "" if value is None else str(value)


class ConditionForm(forms.Form):
    """One condition: what is tested, how, and against what (the condition builder)."""

    kind = forms.ChoiceField(label="Test", choices=KIND_CHOICES)
    name = forms.CharField(
        label="Name", max_length=200, help_text="A trait, a property or an event name."
    )
    op = forms.ChoiceField(label="Comparison", choices=OP_CHOICES)
    value = forms.CharField(
        label="Value", required=False, max_length=500, help_text="Several values: a, b, c"
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, op = data.get("kind"), data.get("op")
        operator = OPERATORS.get(op or "")
        if kind and operator is not None:
            if kind == "event" and not operator.for_events:
                self.add_error("op", "For something the contact did, choose “was performed”.")
            if kind != "event" and operator.for_events:
                self.add_error("op", "“was performed” is only for something the contact did.")
            if operator.takes != "none" and not (data.get("value") or "").strip():
                self.add_error("value", "Type the value to compare with.")
        return data

    def raw(self) -> dict[str, Any]:
        data = self.cleaned_data
        raw: dict[str, Any] = {data["kind"]: data["name"].strip(), "op": data["op"]}
        value = read_value(data["op"], data.get("value") or "")
        if value is not None:
            raw["value"] = value
        return raw


ConditionFormSet = forms.formset_factory(ConditionForm, extra=0, can_delete=True, max_num=20)
PropertyFormSet = ConditionFormSet


def condition_initial(raw: Any) -> dict[str, Any]:
    if not isinstance(raw, Mapping):
        return {}
    kind = next((k for k in ("trait", "property", "event") if k in raw), "trait")
    return {
        "kind": kind,
        "name": raw.get(kind, ""),
        "op": raw.get("op", "eq"),
        "value": value_text(raw.get("value")),
    }


class VariantForm(forms.Form):
    name = forms.CharField(label="Variant name", max_length=40)
    weight = forms.IntegerField(
        label="Weight", min_value=0, max_value=1000, help_text="Its share of the A/B test."
    )
    subject = forms.CharField(label=FIELD_LABELS["subject"], required=False, max_length=500)
    preheader = forms.CharField(label=FIELD_LABELS["preheader"], required=False, max_length=500)
    body = forms.CharField(
        label=FIELD_LABELS["body"], required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    url = forms.CharField(label=FIELD_LABELS["url"], required=False, max_length=2000)
    cta = forms.CharField(label=FIELD_LABELS["cta"], required=False, max_length=40)


VariantFormSet = forms.formset_factory(VariantForm, extra=0, can_delete=True, max_num=10)


class StepEditor:
    """The generic editor: the step's name and its fields as text (any step type)."""

    key = ""
    template = "journeys/builder/editor.html#generic-fields"

    def blank(self) -> dict[str, Any]:
        step_type = STEP_TYPES.get(self.key)
        label = getattr(step_type, "label", "Step")
        return {"id": str(label).split(" ")[0], "type": self.key}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        step_type = STEP_TYPES.get(str(raw.get("type", "")))
        return ["next"] if step_type is None or step_type.has_next else []

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        return "Then"

    def form_class(self) -> type[forms.Form]:
        step_type = STEP_TYPES.get(self.key)
        names = [name for name in getattr(step_type, "fields", ()) if name not in PATH_KEYS]
        attrs: dict[str, Any] = {"name": NameField()}
        for name in names:
            attrs[name] = forms.CharField(
                label=name.replace("_", " ").capitalize(), required=False, max_length=5000
            )
        return type(f"{self.key.title()}Form", (forms.Form,), attrs)

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        data = {"name": step_name(str(raw.get("id", "")))}
        for name, value in raw.items():
            if name not in PATH_KEYS and name not in {"id", "type"}:
                data[name] = value if isinstance(value, str) else value_text(value)
        return data

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        step = {"id": raw.get("id"), "type": self.key}
        for name, value in data.items():
            if name != "name" and value not in (None, ""):
                step[name] = value
        return step

    def formsets(self, raw: Mapping[str, Any], post: Any = None) -> dict[str, Any]:
        return {}


class MessageEditor(StepEditor):
    key = "message"
    template = "journeys/builder/editor.html#message-fields"

    def blank(self) -> dict[str, Any]:
        first = all_channels()[0]
        return {
            "id": first.label,
            "type": "message",
            "channel": first.key,
            "variants": [{"name": "A", "weight": 1, "subject": "", "body": ""}],
        }

    def form_class(self) -> type[forms.Form]:
        class MessageForm(forms.Form):
            name = NameField()
            channel = forms.ChoiceField(label="Send by", choices=channel_picker)

        return MessageForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return super().initial(raw) | {"channel": raw.get("channel", first_channel())}

    def formsets(self, raw: Mapping[str, Any], post: Any = None) -> dict[str, Any]:
        variants = list_at(raw, "variants")
        initial = [
            {"name": v.get("name", chr(65 + i)), "weight": v.get("weight", 1)}
            | {k: v.get(k, "") for k in FIELD_LABELS}
            for i, v in enumerate(variants)
            if isinstance(v, Mapping)
        ]
        if post is not None:
            variants_set = VariantFormSet(post, prefix="variant")
            channel_key = str(post.get("channel", ""))
        else:
            variants_set = VariantFormSet(initial=initial, prefix="variant")
            channel_key = str(raw.get("channel", ""))
        label_fields(variants_set, channel_key)
        return {"variants": variants_set}

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        channel = data["channel"]
        found = get_channel(channel)
        allowed = found.fields if found is not None else ("body",)
        needs = found.needs if found is not None else {}
        variants = []
        for form in sets["variants"].forms:
            if form.cleaned_data.get("DELETE") or not form.cleaned_data:
                continue
            item: dict[str, Any] = {
                "name": form.cleaned_data["name"],
                "weight": form.cleaned_data["weight"],
            }
            for name in allowed:
                value = form.cleaned_data.get(name) or ""
                if value or name in ("subject", "body") and name in allowed:
                    if name == "cta" and not value:
                        continue
                    item[name] = value
            for name, partner in needs.items():
                if not item.get(partner):
                    item.pop(partner, None)
                    item.pop(name, None)
            variants.append(item)
        return {"id": raw.get("id"), "type": "message", "channel": channel, "variants": variants}


class WaitEditor(StepEditor):
    key = "wait_for_event"
    template = "journeys/builder/editor.html#wait-fields"

    def blank(self) -> dict[str, Any]:
        return {"id": "Wait", "type": "wait_for_event", "event": "", "timeout": "P2D"}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["next", "on_timeout"] if raw.get("timeout") else ["next"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        event = raw.get("event") or "it"
        if key == "on_timeout":
            return f"If not within {_length_text(raw.get('timeout'))}"
        return f"If {event} happens" if raw.get("timeout") else "Then"

    def form_class(self) -> type[forms.Form]:
        class WaitForm(forms.Form):
            name = NameField()
            event = forms.CharField(
                label="Wait for the event",
                max_length=200,
                help_text="Pick one your product has sent, or type its name.",
                widget=forms.TextInput(attrs={"list": "catalogue-events"}),
            )
            timeout = _length_field(
                "Wait at most",
                "For example “2 days” or “3h”. Empty: wait as long as it takes.",
            )

            def clean_timeout(self) -> str:
                value = self.cleaned_data["timeout"]
                return _clean_length(value) if value else ""

        return WaitForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return super().initial(raw) | {
            "event": raw.get("event", ""),
            "timeout": _length_text(raw.get("timeout")),
        }

    def formsets(self, raw: Mapping[str, Any], post: Any = None) -> dict[str, Any]:
        return _condition_sets(raw, "where", post, "Only when the event has")

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key, "event": data["event"]}
        where = _conditions_from(sets["where"], kind="property")
        if where:
            step["where"] = where
        if data.get("timeout"):
            step["timeout"] = data["timeout"]
        return step


class DelayEditor(StepEditor):
    key = "delay"
    template = "journeys/builder/editor.html#generic-fields"

    def blank(self) -> dict[str, Any]:
        return {"id": "Wait_a_day", "type": "delay", "duration": "P1D"}

    def form_class(self) -> type[forms.Form]:
        class DelayForm(forms.Form):
            name = NameField()
            wait = forms.CharField(
                label="Wait",
                max_length=100,
                help_text="A length (“2 days”, “3h”) or a time of day in the contact's time "
                "zone (“Monday 9:00”, “weekdays at 9am”).",
            )

            def clean_wait(self) -> Any:
                try:
                    return parse_wait(self.cleaned_data["wait"])
                except WordsError as exc:
                    raise forms.ValidationError(str(exc)) from None

        return DelayForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        wait = _length_text(raw.get("duration")) if "duration" in raw else ""
        until = raw.get("until")
        if isinstance(until, Mapping) and isinstance(until.get("time"), str):
            try:
                at = parse_time_of_day(until["time"])
                wait = local_time_words(LocalTime(at, tuple(until.get("weekdays") or ())))
            except ValueError:
                wait = str(until.get("time"))
        return super().initial(raw) | {"wait": wait}

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        wait = data["wait"]
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key}
        if isinstance(wait, LocalTime):
            step["until"] = wait.document()
        else:
            step["duration"] = iso_length(wait)
        return step


class BranchEditor(StepEditor):
    key = "branch"
    template = "journeys/builder/editor.html#branch-fields"

    def blank(self) -> dict[str, Any]:
        return {
            "id": "Branch",
            "type": "branch",
            "conditions": [{"trait": "plan", "op": "eq", "value": "pro"}],
        }

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["then", "else"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        return "Yes" if key == "then" else "No"

    def form_class(self) -> type[forms.Form]:
        class BranchForm(forms.Form):
            name = NameField()
            match = forms.ChoiceField(
                label="Take the “yes” path when",
                choices=[("all", "all conditions hold"), ("any", "any condition holds")],
            )

        return BranchForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        return super().initial(raw) | {"match": raw.get("match", "all")}

    def formsets(self, raw: Mapping[str, Any], post: Any = None) -> dict[str, Any]:
        return _condition_sets(raw, "conditions", post, "Conditions")

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key}
        step["conditions"] = _conditions_from(sets["conditions"])
        if data["match"] == "any":
            step["match"] = "any"
        return step


class SplitEditor(StepEditor):
    key = "split"

    def blank(self) -> dict[str, Any]:
        return {"id": "Split", "type": "split", "paths": [{"percent": 50}, {"percent": 50}]}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        paths = list_at(raw, "paths")
        return [f"paths.{index}" for index in range(len(paths))]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        paths = raw.get("paths") or []
        index = int(key.split(".")[1])
        percent = paths[index].get("percent") if index < len(paths) else "?"
        return f"{percent} %"

    def form_class(self) -> type[forms.Form]:
        class SplitForm(forms.Form):
            name = NameField()
            percents = forms.CharField(
                label="Share of contacts on each path",
                max_length=100,
                help_text="Percentages adding up to 100, e.g. “90, 10” for a 10 % holdout.",
            )

            def clean_percents(self) -> list[int]:
                try:
                    values = [int(p.strip(" %")) for p in self.cleaned_data["percents"].split(",")]
                except ValueError:
                    raise forms.ValidationError("Type whole numbers, e.g. “50, 50”.") from None
                if len(values) < 2 or sum(values) != 100 or min(values) < 1:
                    raise forms.ValidationError("Give two or more paths adding up to 100.")
                return values

        return SplitForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        paths = raw.get("paths") or []
        text = ", ".join(str(p.get("percent", "")) for p in paths if isinstance(p, Mapping))
        return super().initial(raw) | {"percents": text}

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        old = list_at(raw, "paths")
        paths = []
        for index, percent in enumerate(data["percents"]):
            item = dict(old[index]) if index < len(old) and isinstance(old[index], dict) else {}
            paths.append(item | {"percent": percent})
        return {"id": raw.get("id"), "type": self.key, "paths": paths}


class ExitEditor(StepEditor):
    key = "exit"

    def blank(self) -> dict[str, Any]:
        return {"id": "End", "type": "exit"}

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return []

    def form_class(self) -> type[forms.Form]:
        return type("ExitForm", (forms.Form,), {"name": NameField()})


class AskEditor(StepEditor):
    key = "ask"

    def blank(self) -> dict[str, Any]:
        return {
            "id": "Ask",
            "type": "ask",
            "channel": chat_channel(),
            "question": "What brings you here?",
            "replies": [{"label": "Work", "value": "work"}, {"label": "Fun", "value": "fun"}],
            "trait": "reason",
        }

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["next", "on_timeout"] if raw.get("timeout") else ["next"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        if key == "on_timeout":
            return f"No answer within {_length_text(raw.get('timeout'))}"
        return "Once answered"

    def form_class(self) -> type[forms.Form]:
        class AskForm(forms.Form):
            name = NameField()
            channel = forms.ChoiceField(label="Ask by", choices=reply_channel_picker)
            question = forms.CharField(label="Question", widget=forms.Textarea({"rows": 3}))
            replies = forms.CharField(
                label="Quick replies",
                required=False,
                widget=forms.Textarea({"rows": 3}),
                help_text="One per line. Empty: the contact types an answer.",
            )
            trait = forms.CharField(
                label="Save the answer as the trait", required=False, max_length=100
            )
            timeout = _length_field("Wait for an answer at most", "For example “1 day”.")

            def clean_timeout(self) -> str:
                value = self.cleaned_data["timeout"]
                return _clean_length(value) if value else ""

        return AskForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        replies = list_at(raw, "replies")
        return super().initial(raw) | {
            "channel": raw.get("channel", chat_channel()),
            "question": raw.get("question", ""),
            "replies": "\n".join(str(r.get("label", "")) for r in replies if isinstance(r, dict)),
            "trait": raw.get("trait", ""),
            "timeout": _length_text(raw.get("timeout")),
        }

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        step: dict[str, Any] = {"id": raw.get("id"), "type": self.key}
        step |= {"channel": data["channel"], "question": data["question"]}
        labels = [line.strip() for line in data.get("replies", "").splitlines() if line.strip()]
        if labels:
            step["replies"] = [{"label": label, "value": label.lower()} for label in labels]
        else:
            step["answer"] = {"type": "text"}
        for name in ("trait", "timeout"):
            if data.get(name):
                step[name] = data[name]
        for name in ("retry",):
            if raw.get(name):
                step[name] = raw[name]
        return step


class UpdateContactEditor(StepEditor):
    key = "update_contact"

    def blank(self) -> dict[str, Any]:
        return {"id": "Mark_onboarded", "type": "update_contact", "set": {"onboarded": True}}

    def form_class(self) -> type[forms.Form]:
        class UpdateForm(forms.Form):
            name = NameField()
            traits = forms.CharField(
                label="Set these traits",
                widget=forms.Textarea({"rows": 3}),
                help_text="One per line: “onboarded = yes”, “plan = pro”.",
            )

            def clean_traits(self) -> dict[str, Any]:
                found = {}
                for line in self.cleaned_data["traits"].splitlines():
                    if not line.strip():
                        continue
                    if "=" not in line:
                        raise forms.ValidationError(f"“{line.strip()}” needs “trait = value”.")
                    name, value = line.split("=", 1)
                    found[name.strip()] = _scalar(value.strip())
                if not found:
                    raise forms.ValidationError("Give at least one trait.")
                return found

        return UpdateForm

    def initial(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        values = map_at(raw, "set")
        text = "\n".join(f"{k} = {value_text(v)}" for k, v in values.items())
        return super().initial(raw) | {"traits": text}

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        return {"id": raw.get("id"), "type": self.key, "set": data["traits"]}


class NotifyEditor(StepEditor):
    key = "notify"

    def blank(self) -> dict[str, Any]:
        return {"id": "Tell_the_team", "type": "notify", "to": "team@example.com", "text": ""}

    def form_class(self) -> type[forms.Form]:
        class NotifyForm(forms.Form):
            name = NameField()
            to = forms.CharField(
                label="Tell", max_length=500, help_text="An email address or a chat webhook."
            )
            text = forms.CharField(label="Note", widget=forms.Textarea({"rows": 3}))

        return NotifyForm

    def build(
        self, raw: Mapping[str, Any], data: Mapping[str, Any], sets: Mapping[str, Any]
    ) -> Any:
        return {"id": raw.get("id"), "type": self.key, "to": data["to"], "text": data["text"]}


def _condition_sets(raw: Mapping[str, Any], key: str, post: Any, legend: str) -> dict[str, Any]:
    items = list_at(raw, key)
    formset: Any
    if post is not None:
        formset = ConditionFormSet(post, prefix=key)
    else:
        formset = ConditionFormSet(initial=[condition_initial(c) for c in items], prefix=key)
    formset.legend = legend
    return {key: formset}


def _conditions_from(formset: Any, *, kind: str | None = None) -> list[dict[str, Any]]:
    found = []
    for form in formset.forms:
        if not form.cleaned_data or form.cleaned_data.get("DELETE"):
            continue
        raw = form.raw()
        if kind is not None and kind not in raw:
            raw = {kind: raw.pop(next(k for k in ("trait", "property", "event") if k in raw))}
            raw |= {"op": form.cleaned_data["op"]}
            value = read_value(form.cleaned_data["op"], form.cleaned_data.get("value") or "")
            if value is not None:
                raw["value"] = value
        found.append(raw)
    return found


EDITORS: dict[str, StepEditor] = {
    editor.key: editor
    for editor in (
        MessageEditor(),
        AskEditor(),
        DelayEditor(),
        WaitEditor(),
        BranchEditor(),
        SplitEditor(),
        UpdateContactEditor(),
        NotifyEditor(),
        ExitEditor(),
    )
}


def editor_for(type_key: str) -> StepEditor:
    """The step type's editor (hung on the registry), or the generic one."""
    step_type = STEP_TYPES.get(type_key)
    hung = getattr(step_type, "builder", None)
    if isinstance(hung, StepEditor):
        return hung
    generic = StepEditor()
    generic.key = type_key
    return generic


def outlets(raw: Mapping[str, Any]) -> Sequence[str]:
    """The ways out of a raw step, as its type's editor sees them (graph.Outlets)."""
    return editor_for(str(raw.get("type", ""))).outlets(raw)


def install() -> None:
    """Hang each editor on its step type (journeys.builder's app start calls this)."""
    for key, editor in EDITORS.items():
        if key in STEP_TYPES:
            set_builder(key, editor)


install()
