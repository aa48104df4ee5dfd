"""The publish page states the journey's rules in one plain sentence each: the whole
trigger (event and filters), the audience, the goal and the exits."""

from __future__ import annotations

import html
import re

import pytest

from journeys.builder.drafts import journey_create

pytestmark = pytest.mark.django_db


def rule_sentences_on(client, journey) -> list[str]:
    response = client.get(f"/admin/builder/{journey.key}/publish/")
    assert response.status_code == 200
    found = re.search(r'<ul class="rule-sentences">(.*?)</ul>', response.content.decode(), re.S)
    assert found is not None, "the publish page has no rule sentences"
    return [html.unescape(item) for item in re.findall(r"<li>(.*?)</li>", found.group(1))]


def test_the_publish_page_states_trigger_filters_audience_goal_and_exits(
    client, editor, welcome_document
):
    journey = journey_create(name="Welcome", by=editor, document=welcome_document)
    client.force_login(editor)

    assert rule_sentences_on(client, journey) == [
        "Starts when someone does “Signed Up”, where plan is “free” or “trial”.",
        "Only people who have an email address.",
        "Counts as done when they do “Invited Teammate” within 2 weeks.",
        "Leaves the journey when they do “Account Deleted”.",
    ]


def test_the_publish_page_says_when_there_is_no_filter_audience_goal_or_exit(
    client, editor, welcome_document
):
    plain = welcome_document | {"audience": [], "exit": []}
    plain["trigger"] = {"event": "Signed Up"}
    del plain["goal"]
    journey = journey_create(name="Plain", by=editor, document=plain)
    client.force_login(editor)

    assert rule_sentences_on(client, journey) == [
        "Starts when someone does “Signed Up”.",
        "Everyone.",
        "No goal yet: the report cannot say what converted.",
        "Nobody leaves early.",
    ]
