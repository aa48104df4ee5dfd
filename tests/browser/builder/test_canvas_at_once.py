"""Issue 18, point 5, in Chromium: the canvas is right at once. A step added in a lane is
drawn in that lane straight away, the "+" menu is never cut off, and every "+" and card
tool says what it does and where."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from journeys.builder.drafts import journey_create
from journeys.builder.library import template

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def lane(page, label: str):
    return page.locator(f"li.lane:has(> p.lane-label:text-is('{label}'))").first


def cards_in(page, label: str) -> list[str]:
    """The names of the cards drawn in the lane, as a screen reader reads their links."""
    names = lane(page, label).locator("li.card .card-name a").all_text_contents()
    return [name.removeprefix("Change ").strip() for name in names]


def add_with_plus(page, where: str, kind: str) -> None:
    page.get_by_label(where, exact=True).click()
    menu = page.get_by_role("group", name=where.replace("Add a step", "Choose the step to add"))
    menu.get_by_role("button", name=kind).click()
    expect(page.locator("details.add-step[open]")).to_have_count(0)  # closed by the choice
    # The new step's editor, which comes with the canvas redrawn (the same answer).
    expect(page.get_by_role("region", name="Editor").get_by_role("heading")).to_contain_text(
        f"· {kind}"
    )
    page.wait_for_selector("#editor .editor-message:has-text('fill it in')")


@pytest.fixture
def canvas(editor_page, live_server):
    journey_create(name="Welcome", by=None, document=template("slackbot-welcome").fresh())
    editor_page.goto(f"{live_server.url}/admin/builder/welcome/")
    editor_page.locator("#card-SMS_nudge").wait_for()
    return editor_page


def test_a_step_added_in_a_lane_is_drawn_in_that_lane_at_once(canvas, shot):
    page = canvas
    # "Has a phone": Yes goes to the SMS nudge, No straight to the end.
    assert cards_in(page, "Yes") == ["SMS nudge"]
    assert cards_in(page, "No") == []

    add_with_plus(page, "Add a step at the top of the “No” lane of “Has a phone”", "Wait a while")
    assert cards_in(page, "No") == ["Wait a day"]
    assert cards_in(page, "Yes") == ["SMS nudge"]

    yes = "Add a step at the top of the “Yes” lane of “Has a phone”"
    add_with_plus(page, yes, "Update the contact")
    assert cards_in(page, "Yes") == ["Mark onboarded", "SMS nudge"]
    assert cards_in(page, "No") == ["Wait a day"]

    timeout = "Add a step at the top of the “If not within 2 days” lane of “Wait for a note”"
    add_with_plus(page, timeout, "Tell the team")
    assert cards_in(page, "If not within 2 days")[0] == "Tell the team"
    assert "Tell the team" not in " ".join(cards_in(page, "If Created Note happens"))
    drawn = page.inner_text("#canvas")
    page.reload()
    page.locator("#card-SMS_nudge").wait_for()
    assert page.inner_text("#canvas") == drawn  # what a second look would show
    page.evaluate("document.getElementById('canvas').scrollLeft = 0")
    page.get_by_label("Add a step after “Welcome email”", exact=True).click()
    shot(page, "add-step-menu")
    assert page.js_errors == []


def test_a_step_chosen_while_the_panels_refresh_is_still_added(canvas):
    """The canvas's requests run one after another (hx-sync): a kind chosen while the
    checks are still being worked out waits for them, then is added, even when the person
    has clicked or tabbed elsewhere meanwhile (it used to be lost then: "Choose a kind of
    step to add.")."""
    page = canvas
    held = []

    def checks(url: str) -> bool:
        return "/checks/" in url

    page.route(checks, lambda route: held.append(route))
    add_with_plus(page, "Add a step at the top of the “No” lane of “Has a phone”", "Wait a while")
    for _ in range(400):  # the checks after that edit: held (up to 20 s)
        if held:
            break
        page.wait_for_timeout(50)
    assert held

    yes = "Add a step at the top of the “Yes” lane of “Has a phone”"
    page.get_by_label(yes, exact=True).click()
    menu = page.get_by_role("group", name=yes.replace("Add a step", "Choose the step to add"))
    menu.get_by_role("button", name="Update the contact").click()  # queued behind the checks
    page.locator("#editor h2").focus()  # the focus moves on while it waits
    for route in held:
        route.continue_()
    page.unroute(checks)

    expect(page.locator("details.add-step[open]")).to_have_count(0)
    expect(page.locator("#editor .editor-message")).to_contain_text("Mark onboarded")
    assert cards_in(page, "Yes") == ["Mark onboarded", "SMS nudge"]
    assert page.js_errors == []


def fully_shown(page, menu) -> bool:
    """The menu is inside the window, and every item in it, scrolled to within the menu
    when the window is too short for all, is inside it too and is what is drawn at its
    own centre (nothing clips or covers it)."""
    return page.evaluate(
        """(menu) => [...menu.querySelectorAll('.palette-item')].every((item) => {
            const frame = menu.getBoundingClientRect();
            if (frame.top < 0 || frame.left < 0 || frame.bottom > innerHeight
                || frame.right > innerWidth) return false;
            item.scrollIntoView({block: 'nearest'});
            const box = item.getBoundingClientRect();
            const x = box.left + box.width / 2, y = box.top + box.height / 2;
            const inside = box.left >= 0 && box.top >= 0 && box.right <= innerWidth
                && box.bottom <= innerHeight;
            return inside && item.contains(document.elementFromPoint(x, y));
        })""",
        menu.element_handle(),
    )


def test_the_plus_menu_is_never_cut_off(canvas, axe):
    page = canvas
    page.set_viewport_size({"width": 1100, "height": 700})
    for where in (
        "Add a step after “SMS nudge”",  # low on the canvas
        "Add a step at the top of the “If Created Note happens” lane of “Wait for a note”",
        "Add a step at the top of the “No” lane of “Has a phone”",
        "Add a step at the start of the journey",
    ):
        plus = page.get_by_label(where, exact=True)
        plus.scroll_into_view_if_needed()
        page.mouse.wheel(0, 10_000 if "SMS" in where else 0)  # the "+" at the window's foot
        plus.click()
        menu = page.locator("details.add-step[open] .palette")
        expect(menu).to_have_count(1)  # one menu at a time
        assert fully_shown(page, menu), where
        if "SMS" in where:
            assert axe(page, context="details.add-step[open]") == []
    page.keyboard.press("Escape")
    expect(page.locator("details.add-step[open]")).to_have_count(0)
    assert page.js_errors == []


def test_a_journey_wider_than_the_canvas_scrolls_to_every_card(canvas):
    page = canvas
    # The canvas beside the side panel is narrower than the lanes of the wait and of the
    # branch within it.
    page.set_viewport_size({"width": 1180, "height": 900})
    cut_off = page.evaluate(
        """() => {
            const canvas = document.getElementById('canvas');
            canvas.scrollLeft = 0;
            const left = canvas.getBoundingClientRect().left;
            return [...canvas.querySelectorAll('li.card')]
                .filter((card) => card.getBoundingClientRect().left < left - 1)
                .map((card) => card.id);
        }"""
    )
    assert cut_off == []
    assert page.evaluate("document.getElementById('canvas').scrollWidth") > page.evaluate(
        "document.getElementById('canvas').clientWidth"
    )  # it is wider: the rest is reached by scrolling right


def test_every_plus_and_card_tool_says_what_it_does_and_where(canvas):
    page = canvas
    pluses = page.locator("li.slot summary")
    names = [pluses.nth(i).get_attribute("aria-label") for i in range(pluses.count())]
    assert len(set(names)) == len(names), names  # no two "+" read the same
    assert "Add a step after “Welcome email”" in names
    assert "Add a step at the top of the “Yes” lane of “Has a phone”" in names
    assert all(name.startswith("Add a step ") and name != "Add a step here" for name in names)
    tools = page.locator("#card-Praise .card-tools")
    expect(tools).to_have_accessible_name("Arrange “Praise”")
    for name in ("Move “Praise” up", "Move “Praise” down", "Copy “Praise”", "Delete “Praise”"):
        expect(tools.get_by_role("button", name=name, exact=True)).to_have_count(1)
    expect(page.get_by_role("link", name="Change Praise", exact=True)).to_have_count(1)
    expect(page.get_by_role("link", name="Change who enters: Trigger")).to_have_count(1)
