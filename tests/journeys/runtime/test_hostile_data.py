"""Generated journeys using every step type, condition operator and template filter, run
by the real worker for a contact whose traits and event properties are hostile (huge
numbers, wrong types, invalid dates, deep nesting, long strings, NaN-like text) beside an
ordinary contact in the same batches: nothing escapes the per-contact boundary, and the
ordinary contact is always processed (issue 20, point 1)."""

from __future__ import annotations

import itertools
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from channels.models import Message
from channels.rendering import _PLAIN as SANDBOX
from channels.tasks import deliver_messages
from journeys.core.conditions import OPERATORS
from journeys.core.steps import palette, registered
from journeys.models import ContactProblem, Enrollment, Event
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.journeys import journey_archive, journey_import
from tests.journeys.runtime.raising_step import Tally

_runs = itertools.count()
KEYS = ["v", "seats", "trial_ends", "plan", "answer", "score", "v.w"]

# --- hostile values (all of them storable: what the event API accepts) -----------------

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    max_size=40,
)
_nasty_text = st.sampled_from(
    [
        "99999999999999", "-99999999999999", "1e999", "NaN", "nan", "Infinity", "-Infinity",
        "-0", "0", "0x1F", "1_000", "١٢٣", "2024-02-30", "0000-00-00", "10000-01-01",
        "9999-12-31T23:59:59Z", "2024-13-01T25:61:61", "now", "today", "", " ", "null",
        "None", "undefined", "true", "{{ contact.email }}", "{% raw %}", "<script>x</script>",
        "%s%n%x", "\u202egnp.exe", "a\u0301\u0301\u0301", "😀" * 3, "\u2028\u2029", "\r\n",
    ]
)  # fmt: skip
_huge_numbers = st.one_of(
    st.sampled_from([2**63, -(2**63) - 1, 2**64, 10**300, -(10**300), 1e308, -1e308, 5e-324]),
    st.integers(min_value=-(10**4000), max_value=10**4000),
    st.floats(allow_nan=False, allow_infinity=False),
)
_long_text = st.builds(
    lambda chunk, times: chunk * times,
    st.sampled_from(["x", "é", "😀", "{{", "9", "\u202e", "a,"]),
    st.integers(min_value=500, max_value=12_000),
)
_scalars = st.one_of(_nasty_text, _huge_numbers, _text, st.booleans(), st.none())


def _deep(depth: int, leaf: Any, as_list: bool) -> Any:
    value = leaf
    for _ in range(depth):
        value = [value] if as_list else {"v": value, "w": value if depth < 8 else 1}
    return value


def _lists_or_objects(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    objects = st.dictionaries(st.sampled_from(KEYS), inner, max_size=3)
    return st.lists(inner, max_size=3) | objects


_values = st.one_of(
    _nasty_text,
    _huge_numbers,
    _long_text,
    st.builds(_deep, st.integers(min_value=5, max_value=30), _scalars, st.booleans()),
    st.recursive(_scalars, lambda inner: _lists_or_objects(inner), max_leaves=12),
    _scalars,
)
# Every key templates and conditions read holds something hostile (plus the odd extra).
_data = st.fixed_dictionaries(
    {key: _values for key in ("v", "seats", "trial_ends", "plan", "answer", "score", "w")},
    # `tally`: what the tests' own raising step reads (tests/journeys/runtime/raising_step.py)
    optional={"label": _values, "v.w": _values, "tally": st.sampled_from(["0", "lots", 4])},
)

# --- journeys ---------------------------------------------------------------------------

_comparable = st.one_of(
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(["free", "2024-02-30", "99999999999999", "NaN", "", "1e999"]),
)
_plain = st.one_of(_comparable, st.booleans())
_OPS = [key for key, op in OPERATORS.items() if not op.for_events]


@st.composite
def _condition(draw: st.DrawFn, kinds: tuple[str, ...] = ("property", "trait")) -> dict:
    kind = draw(st.sampled_from(kinds))
    op = OPERATORS[draw(st.sampled_from(_OPS))]
    found: dict[str, Any] = {kind: draw(st.sampled_from(KEYS)), "op": op.key}
    if op.takes == "scalar":
        found["value"] = draw(_plain)
    elif op.takes == "comparable":
        found["value"] = draw(_comparable)
    elif op.takes == "list":
        found["value"] = draw(st.lists(_plain, min_size=1, max_size=3))
    return found


@st.composite
def _event_condition(draw: st.DrawFn, name: str) -> dict:
    found = {"event": name, "op": draw(st.sampled_from(["performed", "not_performed"]))}
    found["where"] = draw(st.lists(_condition(("property",)), max_size=2))
    if draw(st.booleans()):
        found["within"] = "P1D"
    return found


# Every filter of the sandbox, with arguments that parse.
FILTERS = {
    "abs": "", "append": ': "!"', "at_least": ": 5", "at_most": ": 5",
    "base64_decode": "", "base64_encode": "", "base64_url_safe_decode": "",
    "base64_url_safe_encode": "", "capitalize": "", "ceil": "", "compact": "",
    "concat": ": event.v", "date": ': "%Y-%m-%d %s"', "default": ': "there"',
    "divided_by": ": 3", "downcase": "", "escape": "", "escape_once": "", "escapejs": "",
    "find": ': "v", 1', "find_index": ': "v", 1', "first": "", "floor": "", "has": ': "v"',
    "join": ': "-"', "json": "", "last": "", "lstrip": "", "map": ': "v"', "minus": ": 2.5",
    "modulo": ": 7", "newline_to_br": "", "number": ": 2", "plus": ": 1", "prepend": ': "!"',
    "reject": ': "v"', "remove": ': "a"', "remove_first": ': "a"', "remove_last": ': "a"',
    "replace": ': "a", "b"', "replace_first": ': "a", "b"', "replace_last": ': "a", "b"',
    "reverse": "", "round": ": 2", "rstrip": "", "safe": "", "size": "", "slice": ": 1, 3",
    "sort": "", "sort_natural": "", "split": ': ","', "squish": "", "strip": "",
    "strip_html": "", "strip_newlines": "", "sum": "", "times": ": 1000000",
    "truncate": ": 5", "truncatewords": ": 2", "uniq": "", "upcase": "", "url_decode": "",
    "url_encode": "", "where": ': "v"',
}  # fmt: skip
_VARIABLES = [
    "event.v", "event.properties.seats", "event.trial_ends", "event.answer", "event.timestamp",
    "contact.v", "contact.seats", "contact.score", "contact.trial_ends", "event.v.w",
]  # fmt: skip


# Filters that compute on their input: drawn more often, since odd data breaks them first.
_RISKY = [
    "date", "times", "divided_by", "plus", "minus", "modulo", "round", "ceil", "abs",
    "at_least", "slice", "truncate", "base64_decode", "url_decode", "sort", "sum", "map",
]  # fmt: skip


@st.composite
def _expression(draw: st.DrawFn) -> str:
    variable = draw(st.sampled_from(_VARIABLES))
    names = st.one_of(st.sampled_from(_RISKY), st.sampled_from(sorted(FILTERS)))
    chain = draw(st.lists(names, min_size=1, max_size=3))
    filters = "".join(f" | {name}{FILTERS[name]}" for name in chain)
    shape = draw(st.sampled_from(["out", "if", "for"]))
    if shape == "if":
        return f"{{% if {variable} > 3 %}}big{{% else %}}{{{{ {variable}{filters} }}}}{{% endif %}}"
    if shape == "for":
        return f"{{% for x in {variable} %}}{{{{ x{filters} }}}}{{% endfor %}}"
    return f"{{{{ {variable}{filters} }}}}"


def _template() -> st.SearchStrategy[str]:
    return st.lists(_expression(), min_size=1, max_size=4).map(
        lambda parts: "Hi " + " ".join(parts)
    )


def _rarely(condition: st.SearchStrategy[dict]) -> st.SearchStrategy[list[dict]]:
    return st.one_of(st.just([]), st.just([]), st.just([]), st.lists(condition, max_size=2))


@st.composite
def _journey(draw: st.DrawFn, n: int) -> dict:
    t = _template()
    property_only = _condition(("property",))
    link = "https://example.com/{{ event.v | url_encode }}"
    hook = "https://93.184.216.34/hook"  # a public address, never resolved nor reached
    steps = [
        {"id": "split", "type": "split", "paths": [{"percent": 50}, {"percent": 50}]},
        {"id": "note", "type": "notify", "to": "cs@example.com", "text": draw(t)},
        {"id": "tag", "type": "update_contact", "set": draw(_data)},
        {"id": "mail", "type": "message", "channel": "email",
         "variants": [{"subject": draw(t), "preheader": draw(t), "body": draw(t)}]},
        {"id": "text", "type": "message", "channel": "sms", "variants": [{"body": draw(t)}]},
        {"id": "fork", "type": "branch", "match": draw(st.sampled_from(["all", "any"])),
         "conditions": draw(st.lists(_condition(("property", "trait")), min_size=1, max_size=3))
         + draw(st.lists(_event_condition(f"Page {n}"), max_size=1))},
        {"id": "bubble", "type": "message", "channel": "in_app",
         "variants": [{"subject": draw(t), "body": draw(t), "url": link, "cta": "Open"}]},
        {"id": "hook", "type": "message", "channel": "webhook",
         "variants": [{"url": hook, "body": '{"v": {{ event.v | json }}}'}]},
        {"id": "ask", "type": "ask", "channel": "in_app", "question": draw(t),
         "trait": draw(st.sampled_from(["score", "first_name", "email", "phone", "seats"])),
         "timeout": "PT3H"} | draw(st.sampled_from([
             {"answer": {"type": kind}} for kind in ("text", "email", "number")
         ] + [{"replies": [{"label": "Yes", "value": "y"}, {"label": "No"}]}])),
        {"id": "wait", "type": "wait_for_event", "event": f"Done {n}",
         "where": draw(st.lists(property_only, max_size=2)), "timeout": "PT2H"},
        {"id": "share", "type": "tally"},  # raises on some data: the boundary must hold
        {"id": "pause", "type": "delay"} | draw(st.sampled_from(
            [{"duration": "PT1H"}, {"until": {"time": "09:00", "weekdays": ["mon", "fri"]}}])),
    ]  # fmt: skip
    steps = draw(st.permutations(steps)) + [{"id": "end", "type": "exit"}]
    for step, following in itertools.pairwise(steps):
        for path in step.get("paths", ()):
            path["next"] = following["id"]  # both paths of the split go on
    return {
        "format": "stepwise.journey/1",
        "key": f"hostile-{n}",
        "name": f"Hostile {n}",
        # Mostly open doors, so that the hostile contact usually gets in and walks the steps.
        "trigger": {"event": f"Go {n}", "where": draw(_rarely(property_only))},
        "audience": draw(_rarely(_condition(("property", "trait"))))
        + draw(_rarely(_event_condition(f"Page {n}"))),
        "goal": {"event": f"Goal {n}", "where": draw(st.lists(property_only, max_size=1))},
        "exit": [{"event": f"Quit {n}", "where": draw(st.lists(property_only, max_size=1))}],
        "reentry": "after_exit",
        "steps": steps,
    }  # fmt: skip


@pytest.fixture
def tally():
    with registered(Tally()):
        yield


@settings(
    max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(example=_journey(0))
def test_the_generated_journeys_use_every_step_type_and_filter(tally, example):
    shipped = {kind.key for kind in palette() if not type(kind).__module__.startswith("tests.")}
    assert {step["type"] for step in example["steps"]} == shipped | {"tally"}
    assert set(FILTERS) == set(SANDBOX.filters)


# --- the property -------------------------------------------------------------------------


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large],
)  # fmt: skip
@given(data=st.data())
def test_hostile_data_never_stops_an_ordinary_contact(
    db, tally, make_contact, send_event, run_worker, settings, data
):
    settings.ENGINE_RETRY_BASE_SECONDS = 0  # held work is due again at the next run
    n = next(_runs)
    journey = journey_import(data=data.draw(_journey(n), label="journey"), publish=True)
    hostile = make_contact(f"hostile{n}")
    hostile.traits = data.draw(_data, label="traits")
    hostile.save(update_fields=["traits"])
    ordinary = make_contact(f"ordinary{n}", traits={"v": 2, "seats": 3, "plan": "free"})
    names = [f"Go {n}", f"Page {n}", f"Done {n}", "Answered ask", f"Goal {n}", f"Quit {n}"]
    script = data.draw(
        st.lists(st.tuples(st.sampled_from(names), _data), min_size=2, max_size=8), label="events"
    )
    clock = timezone.now()
    try:
        for name, properties in [(f"Go {n}", script[0][1]), *script[1:]]:
            send_event(hostile, name, **properties)
            send_event(
                ordinary, name, v=4, seats=2, plan="free", answer="y", trial_ends="2030-01-01"
            )
            run_worker()  # nothing escapes the per-contact boundary
            _assert_ordinary_processed(ordinary, hostile)
            _deliver(clock, hostile, ordinary)
            clock += timedelta(hours=4)
            enrollments_wake_due(now=clock)
            _assert_ordinary_processed(ordinary, hostile)
        event(f"hostile contact: {_where(hostile)}")
    finally:
        journey_archive(journey=journey)


def _where(contact) -> str:
    row = Enrollment.objects.filter(contact=contact).order_by("-pk").first()
    return "never enrolled" if row is None else row.state


def _deliver(now, *contacts) -> None:
    """Render and send what is due (no webhook: it would leave this machine): each message
    is sent, suppressed or failed with its reason; none raises."""
    due = Message.objects.filter(
        contact__in=contacts, status="queued", channel__in=["email", "in_app", "sms"]
    )
    ids = list(due.values_list("pk", flat=True))
    outcomes = deliver_messages(ids, now=now + timedelta(days=1))
    assert set(outcomes) == set(ids)
    assert set(outcomes.values()) <= {"sent", "suppressed", "failed"}
    for message in Message.objects.filter(pk__in=ids, status="failed"):
        assert message.last_error  # a reason staff can read
    not_sent = ContactProblem.objects.filter(kind=ContactProblem.Kind.NOT_SENT)
    assert not_sent.count() <= Message.objects.filter(status="failed").count()


def _assert_ordinary_processed(ordinary, hostile) -> None:
    assert not Event.objects.filter(contact=ordinary, processed_at__isnull=True).exists()
    # Work problems only: a message whose template needs a value this data lacks is "not
    # sent" (a problem of its own kind, journeys.models.ContactProblem) and the journey goes on.
    stopped = ContactProblem.objects.filter(kind=ContactProblem.Kind.WORK)
    assert not stopped.filter(contact=ordinary).exists()
    assert not Enrollment.objects.filter(contact=ordinary, state="failed").exists()
    # The hostile contact's events are processed, or held with a reason on its page.
    waiting = Event.objects.filter(contact=hostile, processed_at__isnull=True)
    problems = list(stopped.filter(contact=hostile).values_list("step_key", "reason"))
    note(f"problems of the hostile contact: {problems}")
    event("the boundary held work back" if problems else "nothing held")
    assert all(event.retry_at is not None for event in waiting)
    assert not waiting.exists() or problems
    # Only the tests' own raising step ever needs the boundary: no built-in step, template
    # or condition raises on any of this data.
    assert {step for step, _ in problems} <= {"share"}
