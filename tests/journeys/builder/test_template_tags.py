"""A template tag messages do not support ({% include %}, {% render %}, {% extends %}) is a
plain validation message in the builder and at import, never a 500."""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

from journeys.core.problems import SpecError
from journeys.run.journeys import journey_import
from tests.journeys.builder.test_canvas import add, save_message, url

pytestmark = pytest.mark.django_db
PLAIN = (
    "can't be used in a message: a message is one template, with nothing to include or "
    "extend. Write the text here instead."
)


@pytest.mark.parametrize(
    ("body", "tag"),
    [
        ("{% include 'footer' %}", "include"),
        ("Hi {% render 'footer' %}", "render"),
        ("{% liquid include 'footer' %}", "include"),
        ("{% extends 'base' %}", "extends"),
    ],
)
def test_an_include_is_a_plain_problem_in_the_builder(signed_in, journey, body, tag):  # noqa: F811
    add(signed_in, journey, "message")

    saved = save_message(signed_in, journey, "Email", body=body)
    checks = signed_in.get(url(journey, "checks/"), HTTP_HX_REQUEST="true")
    preview = signed_in.get(url(journey, "steps/Email/preview/"), HTTP_HX_REQUEST="true")

    assert (saved.status_code, checks.status_code, preview.status_code) == (200, 200, 200)
    assert f"Line 1: {{% {tag} %}} {PLAIN}" in html.unescape(checks.content.decode())
    assert f"Text, line 1: {{% {tag} %}} {PLAIN}" in html.unescape(preview.content.decode())


def test_an_include_is_a_plain_problem_at_import(db):
    document = json.loads(
        (Path(__file__).resolve().parents[3] / "examples" / "welcome.json").read_text()
    )
    document["steps"][0]["variants"][0]["body"] = "{% include 'footer' %}"

    with pytest.raises(SpecError) as refused:
        journey_import(data=document, publish=True)

    assert [str(problem) for problem in refused.value.problems] == [
        f"steps[0].variants[0].body: Line 1: {{% include %}} {PLAIN}"
    ]
