"""Round trips under hypothesis: durations, conditions, and whole journeys."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given
from hypothesis import strategies as st

from journeys.core.conditions import dump_condition, parse_condition
from journeys.core.durations import format_duration, parse_duration
from journeys.core.format import dump_journey, parse_journey
from journeys.core.operators import OPERATORS
from journeys.core.problems import Reader
from tests.journeys.core.helpers import journey_doc

names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_.", min_size=1, max_size=12).filter(
    lambda name: name.strip(".") == name
)
scalars = st.one_of(st.text(max_size=8), st.integers(-1000, 1000), st.booleans())
comparables = st.one_of(st.text(max_size=8), st.integers(-1000, 1000))


@given(st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=3650)))
def test_durations_round_trip(delta):
    whole = timedelta(seconds=int(delta.total_seconds()))
    assert parse_duration(format_duration(whole)) == whole


def _value_for(op):
    takes = OPERATORS[op].takes
    if takes == "list":
        return st.lists(scalars, min_size=1, max_size=4).map(lambda v: {"value": v})
    if takes == "comparable":
        return comparables.map(lambda v: {"value": v})
    if takes == "scalar":
        return scalars.map(lambda v: {"value": v})
    return st.just({})


trait_ops = [op for op, operator in OPERATORS.items() if not operator.for_events]
trait_conditions = st.tuples(
    st.sampled_from(["trait", "property"]), names, st.sampled_from(trait_ops)
).flatmap(lambda t: _value_for(t[2]).map(lambda v: {t[0]: t[1], "op": t[2]} | v))
event_conditions = st.builds(
    lambda name, op, within, where: (
        {"event": name, "op": op}
        | ({"within": within} if within else {})
        | ({"where": where} if where else {})
    ),
    names,
    st.sampled_from(["performed", "not_performed"]),
    st.sampled_from([None, "P1D", "PT2H30M"]),
    st.lists(trait_conditions.filter(lambda c: "property" in c), max_size=2),
)
conditions = st.one_of(trait_conditions, event_conditions)
EXISTS = {"trait": "x", "op": "exists"}


@given(conditions)
def test_conditions_round_trip(raw):
    reader = Reader()
    parsed = parse_condition(reader, raw, "c")
    assert reader.problems == []
    assert parse_condition(Reader(), dump_condition(parsed), "c") == parsed


@given(st.lists(conditions, max_size=4), st.sampled_from(["never", "after_exit"]))
def test_journeys_round_trip(audience, reentry):
    steps = [
        {"id": "check", "type": "branch", "conditions": [*audience, EXISTS], "then": "end"},
        {"id": "pause", "type": "delay", "until": {"time": "09:00", "weekdays": ["mon"]}},
        {"id": "end", "type": "exit"},
    ]
    spec = parse_journey(journey_doc(steps, audience=audience, reentry=reentry))
    assert parse_journey(dump_journey(spec)) == spec
