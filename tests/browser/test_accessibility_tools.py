"""The accessibility check the browser suites rely on finds real violations."""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_axe_passes_the_admin_index_and_reports_an_unlabelled_field(staff_page, axe):
    page = staff_page
    assert axe(page) == []

    page.evaluate(
        """() => {
            const input = document.createElement("input");
            input.type = "text";
            document.querySelector("#content").appendChild(input);
        }"""
    )
    assert [violation["rule"] for violation in axe(page)] == ["label"]
