"""Adding a step type is one module: a type defined here, and nowhere else, and listed in
the test settings (STEPWISE_STEP_TYPES), parses, validates, runs (in the engine and
through the worker), simulates, exports and summarises; its builder side (form, card,
ways out, warnings, preview) is declared here too, and tests/journeys/runtime/
test_new_step_type_everywhere.py finds it in the builder, the reports, the contact page
and the privacy export. It is shaped like the bot's `ask`: it sends a question, waits for
the answer event it declares, saves the answer as a trait, and times out."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from channels.models import Message
from journeys.core.decisions import SendMessage, UpdateTraits, Wait
from journeys.core.durations import duration_words, format_duration
from journeys.core.engine import spec_event_names
from journeys.core.format import dump_journey, parse_journey
from journeys.core.problems import Reader
from journeys.core.simulate import ScriptEvent, simulate
from journeys.core.spec import JourneySpec, StepSpec, Variant
from journeys.core.steps import STEP_TYPES, Move, ParseContext, StepType, Walk, type_of, use
from journeys.core.steps.base import NO_CHANNELS, Channels, iso_words, read_duration, step_label
from journeys.core.steps.form import DraftFacts, FormField, Timing
from journeys.models import Enrollment, MessageVariant, Step, StepVisit
from journeys.run.journeys import journey_import
from tests.journeys.core.helpers import HOUR, T0, Driver, contact, event, journey_doc, problems

_TRAIT = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, kw_only=True)
class QuestionStep(StepSpec):
    type = "question"
    text: str
    trait: str
    timeout: timedelta
    on_timeout: str | None = None


class Question(StepType[QuestionStep]):
    key, spec, order, waits = "question", QuestionStep, 35, True
    label = "Ask and remember"
    description = "Ask in the app and save the answer on the contact."
    fields = ("text", "trait", "timeout", "on_timeout")
    # The builder's side, as data: its form, what a new one starts as, its card's colour.
    form = (
        FormField("text", "Question to ask", "long_text", help="Shown in the app."),
        FormField("trait", "Save the answer as", help="A trait name, e.g. nickname."),
        FormField("timeout", "Wait for the answer at most", "duration"),
    )
    blank_step = {"id": "Question", "text": "What should I call you?", "trait": "nickname"}
    previews, look = True, "wait"

    def parse(
        self, reader: Reader, raw: Mapping[str, Any], path: str, ctx: ParseContext
    ) -> dict[str, Any] | None:
        text = reader.text(raw, "text", path)
        trait = reader.text(raw, "trait", path)
        if trait is not None and not _TRAIT.match(trait):
            reader.add(f"{path}.trait", "Name the trait to save the answer in, like first_name.")
            trait = None
        timeout = read_duration(reader, raw, "timeout", path) if "timeout" in raw else None
        if "timeout" not in raw:
            reader.add(f"{path}.timeout", "Say how long to wait for the answer.")
        on_timeout = reader.text(raw, "on_timeout", path, required=False)
        if None in (text, trait, timeout):
            return None
        return {"text": text, "trait": trait, "timeout": timeout, "on_timeout": on_timeout}

    def dump(self, step: QuestionStep) -> dict[str, Any]:
        data = {"text": step.text, "trait": step.trait, "timeout": format_duration(step.timeout)}
        return data | ({"on_timeout": step.on_timeout} if step.on_timeout else {})

    def targets(self, step: QuestionStep) -> list[tuple[str, str]]:
        found = super().targets(step)
        return found + ([("on_timeout", step.on_timeout)] if step.on_timeout else [])

    def falls_through(self, step: QuestionStep) -> bool:
        return step.next is None or step.on_timeout is None

    def run(self, step: QuestionStep, walk: Walk) -> None:
        walk.add(SendMessage(step.id, "in_app", "A"))
        walk.add(Wait(step.id, walk.now + step.timeout, self.awaits(step)))
        walk.note("asked", f"asked {step.trait}, waiting for the answer")

    def on_event(self, step: QuestionStep, walk: Walk, answered: Any) -> Move:
        walk.add(UpdateTraits(step.id, ((step.trait, answered.properties["answer"]),)))
        walk.note("answered", f"{step.trait} answered")
        return Move("answered", walk.spec.following(step.id))

    def on_wake(self, step: QuestionStep, walk: Walk) -> Move:
        walk.note("timeout", "no answer in time")
        return Move("timeout", step.on_timeout or walk.spec.following(step.id))

    def awaits(self, step: QuestionStep) -> str:
        return f"Answered {step.id}"

    def channel(self, step: QuestionStep) -> str:
        return "in_app"

    def variants(self, step: QuestionStep, channels: Any = None) -> tuple[Variant, ...]:
        return (Variant("A", body=step.text),)

    def outlets(self, raw: Mapping[str, Any]) -> list[str]:
        return ["next", "on_timeout"]

    def outlet_label(self, raw: Mapping[str, Any], key: str) -> str:
        if key == "on_timeout":
            return f"Silent for {iso_words(raw.get('timeout'))}"
        return "Answered"

    def timing(self, step: QuestionStep, arrival: datetime, zone: ZoneInfo) -> Timing:
        return ("times_out", arrival + step.timeout)

    def warnings(self, step: QuestionStep, facts: DraftFacts) -> list[str]:
        if step.timeout >= timedelta(days=7):
            return ["Waits a week or more for an answer: most people have forgotten by then."]
        return []

    def summary(
        self, step: QuestionStep, journey: JourneySpec, channels: Channels = NO_CHANNELS
    ) -> str:
        return (
            f"Ask “{step.text}” and save the answer as {step.trait}; after "
            f"{duration_words(step.timeout)} without one, go to "
            f"{step_label(step.on_timeout or journey.following(step.id))}"
        )


STEP_TYPE = Question()
ASK = {"id": "ask", "type": "question", "text": "What should I call you?", "trait": "nickname"}
STEPS = [
    ASK | {"timeout": "PT2H", "on_timeout": "nudge"},
    {"id": "thanks", "type": "message", "channel": "in_app", "variants": [{"body": "Thanks!"}]},
    {"id": "done", "type": "exit"},
    {"id": "nudge", "type": "message", "channel": "in_app", "variants": [{"body": "Still?"}]},
]


@pytest.fixture
def question():
    return STEP_TYPES["question"]


def test_the_settings_register_the_type_in_its_palette_place(question, settings):
    assert settings.STEPWISE_STEP_TYPES[-1] == __name__
    assert list(STEP_TYPES)[:5] == ["message", "ask", "delay", "wait_for_event", "question"]
    assert (question.label, question.description) == (
        "Ask and remember",
        "Ask in the app and save the answer on the contact.",
    )


def test_a_site_that_does_not_list_the_type_does_not_know_it(settings):
    use(settings.STEPWISE_STEP_TYPES[:-1])
    try:
        found = problems(journey_doc([ASK | {"timeout": "PT2H"}]))
    finally:
        use(settings.STEPWISE_STEP_TYPES)

    assert found == [
        "steps[0].type: There is no kind of step called “question”. Use one of: message, ask, "
        "delay, wait_for_event, branch, split, update_contact, notify, exit."
    ]


def test_a_setting_that_names_no_step_type_is_refused_in_plain_words(settings):
    before = list(STEP_TYPES)

    with pytest.raises(ValueError, match="names no step type"):
        use([*settings.STEPWISE_STEP_TYPES, "journeys.core.steps.base"])
    with pytest.raises(ValueError, match="registered twice"):
        use([*settings.STEPWISE_STEP_TYPES, "journeys.core.steps.delay"])

    assert list(STEP_TYPES) == before


def test_it_parses_into_its_own_spec(question):
    spec = parse_journey(journey_doc(STEPS))

    assert spec.steps[0] == QuestionStep(
        id="ask",
        text="What should I call you?",
        trait="nickname",
        timeout=timedelta(hours=2),
        on_timeout="nudge",
    )


def test_its_problems_are_reported_in_plain_words_with_the_formats_own(question):
    bad = {"id": "ask", "type": "question", "text": "", "trait": "Nick Name", "colour": 1}

    assert problems(journey_doc([bad, {"id": "x", "type": "exit", "next": "ask"}])) == [
        "steps[0].colour: There is no such setting here. Remove it.",
        "steps[0].text: Write some text here: it cannot be left blank.",
        "steps[0].trait: Name the trait to save the answer in, like first_name.",
        "steps[0].timeout: Say how long to wait for the answer.",
        "steps[1].next: An exit step ends the journey: remove “next”.",
    ]


def test_its_links_are_checked_like_every_other_steps(question):
    doc = journey_doc([ASK | {"timeout": "PT2H", "on_timeout": "nudj"}, STEPS[3]])

    assert problems(doc) == [
        "steps[0].on_timeout: There is no step called “nudj”. Did you mean “nudge”?"
    ]


def test_it_exports_and_reads_back_unchanged(question):
    spec = parse_journey(journey_doc(STEPS))

    document = dump_journey(spec)

    assert document["steps"][0] == ASK | {"timeout": "PT2H", "on_timeout": "nudge"}
    assert parse_journey(document) == spec


def test_it_summarises_itself_in_plain_words(question):
    spec = parse_journey(journey_doc(STEPS))

    assert type_of(spec.steps[0]).summary(spec.steps[0], spec) == (
        "Ask “What should I call you?” and save the answer as nickname; "
        "after 2 hours without one, go to Nudge"
    )


def test_the_worker_listens_for_the_event_it_declares(question):
    spec = parse_journey(journey_doc(STEPS))

    assert spec_event_names(spec) == {"Signed Up", "Answered ask"}


def test_the_engine_runs_it_and_routes_its_answer(question):
    driver = Driver(parse_journey(journey_doc(STEPS)), contact(nickname="?"))

    asked = driver.start(event("Signed Up"))
    answered = driver.send(event("Answered ask", T0 + HOUR, answer="Ada"))

    assert SendMessage("ask", "in_app", "A") in asked.commands
    assert Wait("ask", T0 + 2 * HOUR, "Answered ask") in asked.commands
    assert UpdateTraits("ask", (("nickname", "Ada"),)) in answered.commands
    assert SendMessage("thanks", "in_app", "A") in answered.commands
    assert driver.state is not None
    assert (driver.state.state, driver.state.contact.traits["nickname"]) == ("completed", "Ada")


def test_its_timeout_takes_its_own_path(question):
    driver = Driver(parse_journey(journey_doc(STEPS)))
    driver.start(event("Signed Up"))

    woke = driver.wake()

    assert SendMessage("nudge", "in_app", "A") in woke.commands
    assert [line.code for line in woke.trace] == ["timeout", "message", "completed"]


def test_the_simulator_runs_it(question):
    result = simulate(
        parse_journey(journey_doc(STEPS)),
        contact=contact(),
        script=[
            ScriptEvent(T0, "Signed Up"),
            ScriptEvent(T0 + HOUR, "Answered ask", {"answer": "Ada"}),
        ],
        start=T0,
    )

    assert [(s.step_id, s.channel) for s in result.sent] == [
        ("ask", "in_app"),
        ("thanks", "in_app"),
    ]
    assert ("update", 'would set {"nickname": "Ada"}') in [(e.kind, e.text) for e in result.entries]
    assert result.final is not None
    assert result.final.state == "completed"


def test_the_worker_publishes_runs_and_sends_it(question, db, make_contact, send_event, run_worker):
    journey = journey_import(data=journey_doc(STEPS), publish=True)
    ada = make_contact("ada")
    send_event(ada, "Signed Up")
    run_worker()
    asked = Enrollment.objects.get(contact=ada)

    send_event(ada, "Answered ask", answer="Ada")
    run_worker()

    asked_state = (asked.state, asked.step_key)
    ada.refresh_from_db()
    enrollment = Enrollment.objects.get(contact=ada)
    step = Step.objects.get(version=journey.current_version, key="ask")
    visits = StepVisit.objects.filter(enrollment=enrollment).order_by("seq")
    assert asked_state == ("waiting", "ask")
    assert (step.type, step.channel) == ("question", "in_app")
    assert list(MessageVariant.objects.filter(step=step).values_list("name", "content")) == [
        ("A", {"body": "What should I call you?"})
    ]
    assert [(v.step.key, v.outcome) for v in visits] == [
        ("ask", "answered"),
        ("thanks", "sent"),
        ("done", "completed"),
    ]
    assert (enrollment.state, ada.traits["nickname"]) == ("completed", "Ada")
    assert list(Message.objects.order_by("pk").values_list("channel", "content__body")) == [
        ("in_app", "What should I call you?"),
        ("in_app", "Thanks!"),
    ]
