from __future__ import annotations

from datetime import timedelta

import pytest

from journeys.core.conditions import (
    Condition,
    EventView,
    Facts,
    evaluate,
    evaluate_all,
    lookup,
)
from journeys.core.operators import MISSING, OPERATORS, Operator, register
from tests.journeys.core.helpers import DAY, HOUR, T0

TRAITS = {
    "plan": "free",
    "seats": 3,
    "email": "ada@example.com",
    "nickname": "",
    "admin": True,
    "tags": ["beta", "eu"],
    "company": {"size": 40, "name": "Acme"},
}
FACTS = Facts(
    traits=TRAITS,
    properties={"filename": "report.pdf", "size": 1200},
    events=(
        EventView("Uploaded File", {"size": 10}, T0 - 3 * DAY),
        EventView("Uploaded File", {"size": 5000}, T0 - HOUR),
        EventView("Invited Teammate", {}, T0 - 10 * DAY),
    ),
    now=T0,
)


@pytest.mark.parametrize(
    ("name", "op", "value", "held"),
    [
        ("plan", "eq", "free", True),
        ("plan", "eq", "pro", False),
        ("admin", "eq", 1, False),
        ("admin", "eq", True, True),
        ("plan", "ne", "pro", True),
        ("plan", "ne", "free", False),
        ("missing", "ne", "free", True),
        ("plan", "in", ("free", "trial"), True),
        ("plan", "in", ("pro",), False),
        ("missing", "in", ("free",), False),
        ("plan", "not_in", ("pro", "team"), True),
        ("plan", "not_in", ("free",), False),
        ("missing", "not_in", ("free",), True),
        ("email", "contains", "@example.com", True),
        ("email", "contains", "@other.org", False),
        ("tags", "contains", "beta", True),
        ("tags", "contains", "us", False),
        ("seats", "contains", 3, False),
        ("email", "exists", None, True),
        ("nickname", "exists", None, False),
        ("missing", "exists", None, False),
        ("nickname", "not_exists", None, True),
        ("email", "not_exists", None, False),
        ("seats", "gt", 2, True),
        ("seats", "gt", 3, False),
        ("seats", "gte", 3, True),
        ("seats", "lt", 3, False),
        ("seats", "lt", 3.5, True),
        ("seats", "lte", 3, True),
        ("plan", "gt", 2, False),
        ("plan", "lt", "pro", True),
        ("missing", "gte", 0, False),
        ("admin", "gte", 0, False),
        ("company.size", "gte", 10, True),
        ("company.name", "eq", "Acme", True),
        ("company.city", "exists", None, False),
    ],
)
def test_trait_operator(name, op, value, held):
    result = evaluate(Condition("trait", name, op, value), FACTS)
    assert result.held is held


@pytest.mark.parametrize(
    ("condition", "explanation"),
    [
        (
            Condition("trait", "plan", "in", ("free", "trial")),
            "trait plan = 'free' is in ['free', 'trial']: yes",
        ),
        (Condition("trait", "seats", "gt", 5), "trait seats = 3 is greater than 5: no"),
        (Condition("trait", "phone", "exists"), "trait phone = (not set) is set: no"),
        (Condition("trait", "admin", "eq", True), "trait admin = true is true: yes"),
        (
            Condition("property", "filename", "contains", ".pdf"),
            "property filename = 'report.pdf' contains '.pdf': yes",
        ),
    ],
)
def test_results_explain_themselves(condition, explanation):
    assert str(evaluate(condition, FACTS)) == explanation


def test_property_reads_the_event():
    result = evaluate(Condition("property", "size", "gte", 1000), FACTS)
    assert result.held is True
    assert result.seen == 1200


@pytest.mark.parametrize(
    ("condition", "count", "held"),
    [
        (Condition("event", "Uploaded File", "performed"), 2, True),
        (Condition("event", "Deleted File", "performed"), 0, False),
        (Condition("event", "Deleted File", "not_performed"), 0, True),
        (Condition("event", "Uploaded File", "not_performed"), 2, False),
        (Condition("event", "Uploaded File", "performed", within=timedelta(days=1)), 1, True),
        (Condition("event", "Invited Teammate", "performed", within=timedelta(days=7)), 0, False),
        (
            Condition(
                "event",
                "Uploaded File",
                "performed",
                where=(Condition("property", "size", "gt", 1000),),
            ),
            1,
            True,
        ),
        (
            Condition(
                "event",
                "Uploaded File",
                "performed",
                where=(Condition("property", "size", "gt", 9000),),
            ),
            0,
            False,
        ),
    ],
)
def test_event_operators(condition, count, held):
    result = evaluate(condition, FACTS)
    assert (result.seen, result.held) == (count, held)


def test_event_result_explains_itself():
    condition = Condition(
        "event",
        "Uploaded File",
        "performed",
        where=(Condition("property", "size", "gt", 1000),),
        within=timedelta(days=2),
    )
    assert str(evaluate(condition, FACTS)) == (
        "Uploaded File was performed where property size is greater than 1000 within P2D: "
        "1 found, last at 2026-11-25 09:00 UTC: yes"
    )


def test_evaluate_all_needs_all_and_reports_each():
    result = evaluate_all(
        (Condition("trait", "plan", "eq", "free"), Condition("trait", "seats", "gt", 5)), FACTS
    )
    assert result.held is False
    assert (
        result.explain()
        == "trait plan = 'free' is 'free': yes; trait seats = 3 is greater than 5: no"
    )


def test_evaluate_all_any():
    conditions = (Condition("trait", "plan", "eq", "pro"), Condition("trait", "seats", "gt", 2))
    assert evaluate_all(conditions, FACTS, match="any").held is True


def test_no_conditions_hold():
    assert evaluate_all((), FACTS).held is True
    assert evaluate_all((), FACTS, match="any").held is True


def test_lookup_prefers_a_dotted_key():
    assert lookup({"a.b": 1, "a": {"b": 2}}, "a.b") == 1
    assert lookup({"a": {"b": 2}}, "a.b") == 2
    assert lookup({"a": 1}, "a.b") is MISSING


def test_registry_holds_every_op():
    assert list(OPERATORS) == [
        "eq",
        "ne",
        "in",
        "not_in",
        "contains",
        "exists",
        "not_exists",
        "gt",
        "gte",
        "lt",
        "lte",
        "performed",
        "not_performed",
    ]


def test_registry_refuses_a_duplicate():
    class Again(Operator):
        key, takes, words = "eq", "scalar", "is again"

    with pytest.raises(ValueError, match="operator 'eq' is missing a key or registered twice"):
        register(Again)


def test_registry_refuses_an_operator_without_value_kind():
    class Vague(Operator):
        key, takes, words = "vague", "something", "is vaguely"

    with pytest.raises(ValueError, match="operator 'vague' must say what value it takes"):
        register(Vague)
    assert "vague" not in OPERATORS
