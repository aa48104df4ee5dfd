"""What the newcomer saw on the builder's screens (issue 18): a trigger's new filter row
starts on what an event is filtered by, and a wait's card says when Ada goes on in a
sentence that reads (not "goes on on Monday"). The "No conditions yet." note leaving once a
row is added is the page's script: tests/browser/builder/test_newcomer.py."""

from __future__ import annotations

import html
import re

import pytest

from journeys.models import Journey
from tests.journeys.builder.test_canvas import add, post, rev, url

pytestmark = pytest.mark.django_db


def _new_row(page: str, formset: str) -> str:
    """The row "Add a condition" puts on the page for `formset`."""
    found = re.search(
        rf'<template class="empty-condition" data-formset="{formset}">(.*?)</template>',
        page,
        re.S,
    )
    assert found, f"no new-row template for {formset}"
    return found[1]


def _chosen(row: str, name: str) -> str:
    """The text of the option a select of `row` shows."""
    select = re.search(rf'<select name="[^"]*-{name}"[^>]*>(.*?)</select>', row, re.S)
    assert select
    option = re.search(r"<option [^>]*selected[^>]*>([^<]*)</option>", select[1])
    first = re.search(r"<option [^>]*>([^<]*)</option>", select[1])
    assert first
    return html.unescape((option or first)[1])


def test_a_new_trigger_filter_starts_on_the_events_property(signed_in, journey: Journey):
    page = signed_in.get(url(journey, "trigger/")).content.decode()

    assert _chosen(_new_row(page, "where"), "kind") == "A property of the event"
    assert _chosen(_new_row(page, "audience"), "kind") == "A trait of the contact"


def test_a_new_filter_of_the_awaited_event_starts_on_its_property(signed_in, journey):
    add(signed_in, journey, "wait_for_event")

    page = signed_in.get(url(journey, "steps/Wait/")).content.decode()

    assert _chosen(_new_row(page, "where"), "kind") == "A property of the event"


def test_a_wait_until_a_weekday_says_when_ada_goes_on_in_a_sentence(signed_in, journey):
    add(signed_in, journey, "delay")
    data = {"name": "Weekday 10:00", "wait": "weekdays 10:00", "revision": rev(journey)}
    assert post(signed_in, url(journey, "steps/Wait_a_day/"), data).status_code == 200

    page = html.unescape(signed_in.get(url(journey)).content.decode())

    assert (
        "If Ada reaches this step on Friday at 18:00 in Paris, she goes on to the next step "
        "on Monday at 10:00." in page
    )
    assert "goes on on" not in page
