"""Issue 18, point 4, in Chromium: edits are never lost. A step's editor keeps its changes
until Save, and every way of leaving it with changes not saved asks first: another card,
a link off the canvas, a reload or a closed tab, the back button. The contact chosen in
"Preview as" is still chosen after a save."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from journeys.builder.drafts import journey_create
from journeys.builder.library import template
from journeys.models import Contact, Journey
from tests.browser.builder.test_build_journey import DRAG, quiet

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class Dialogs:
    """Answers the page's dialogs as told (`stay` or leave) and keeps what they asked."""

    def __init__(self, page) -> None:
        self.asked: list[tuple[str, str]] = []
        self.leave = False
        page.on("dialog", self.answer)

    def answer(self, dialog) -> None:
        self.asked.append((dialog.type, dialog.message))
        dialog.accept() if self.leave else dialog.dismiss()


def subject(page) -> str:
    return page.input_value("#id_variant-0-subject")


def saved_subject(page) -> str:
    """The stored subject, read once the page's requests are done."""
    quiet(page)
    step = Journey.objects.get(key="welcome").draft_spec["steps"][0]
    return step["variants"][0]["subject"]


@pytest.fixture
def canvas(editor_page, live_server):
    journey_create(name="Welcome", by=None, document=template("slackbot-welcome").fresh())
    return editor_page, f"{live_server.url}/admin/builder/welcome/"


def type_in_welcome_email(page) -> None:
    page.wait_for_selector("#editor h2:has-text('Welcome email')")
    page.click("#id_variant-0-subject")
    page.keyboard.press("End")
    page.keyboard.type(" today")


def test_opening_another_card_or_a_problem_asks_first(canvas):
    page, url = canvas
    page.goto(f"{url}?step=Welcome_email")
    dialogs = Dialogs(page)
    type_in_welcome_email(page)
    typed = subject(page)

    page.click("#card-Praise .card-name a")  # another card: stay
    assert dialogs.asked == [
        (
            "confirm",
            "Your changes to “Welcome email” are not saved. Leave without saving them? "
            "(Cancel to stay and press Save.)",
        )
    ]
    assert subject(page) == typed
    page.click("#card-Praise .card-tools button:has-text('Copy')")  # a card's tool: stay
    page.get_by_label("Add a step after “Praise”", exact=True).click()  # a "+": stay
    page.get_by_role("group", name="Choose the step to add after “Praise”").get_by_role(
        "button", name="Wait a while"
    ).click()
    assert len(dialogs.asked) == 3
    assert subject(page) == typed
    quiet(page)
    assert "Wait_a_day" not in str(Journey.objects.get(key="welcome").draft_spec)

    dialogs.leave = True
    page.click("#card-Praise .card-name a")  # another card: leave, as asked
    page.wait_for_selector("#editor h2:has-text('Praise')")
    first = "Welcome to Acme Notes, {{ contact.first_name | default: 'there' }}"
    assert saved_subject(page) == first
    page.click("#card-Welcome_email .card-name a")  # nothing typed: nothing asked
    page.wait_for_selector("#editor h2:has-text('Welcome email')")
    assert len(dialogs.asked) == 4
    assert page.js_errors == []


def test_a_saved_step_leaves_without_asking_and_a_refused_one_still_asks(canvas):
    page, url = canvas
    page.goto(f"{url}?step=Welcome_email")
    dialogs = Dialogs(page)
    type_in_welcome_email(page)
    page.click("#editor button:has-text('Save')")
    page.wait_for_selector("#editor .editor-message:has-text('Saved.')")
    assert saved_subject(page).endswith(" today")
    page.click("#card-Wait_for_a_note .card-name a")  # saved: nothing asked
    page.wait_for_selector("#editor h2:has-text('Wait for a note')")
    page.fill("#id_timeout", "soon")  # not a length of time: refused, what was typed kept
    page.click("#editor button:has-text('Save')")
    page.wait_for_selector("#editor .editor-message:has-text('Not saved yet')")
    page.click("#card-Praise .card-name a")
    assert [kind for kind, _ in dialogs.asked] == ["confirm"]
    assert page.input_value("#id_timeout") == "soon"
    expect(page.locator("#editor h2")).to_contain_text("Wait for a note")


def test_a_link_off_the_canvas_a_reload_and_a_closed_tab_ask_first(canvas):
    page, url = canvas
    page.goto(f"{url}?step=Welcome_email")
    dialogs = Dialogs(page)
    type_in_welcome_email(page)
    typed = subject(page)

    page.click(".breadcrumbs a:has-text('Journeys')")  # the journey list: stay
    assert dialogs.asked[-1][0] == "confirm"
    assert "“Welcome email” are not saved" in dialogs.asked[-1][1]
    assert page.url == f"{url}?step=Welcome_email"
    page.click(".canvas-actions a:has-text('Versions')")  # Versions: stay
    assert len(dialogs.asked) == 2
    assert subject(page) == typed

    with page.expect_event("dialog"):  # a reload: the browser asks
        page.evaluate("setTimeout(() => location.reload(), 0)")
    assert dialogs.asked[-1][0] == "beforeunload"
    assert subject(page) == typed

    dialogs.leave = True
    page.close(run_before_unload=True)  # the tab closed: asked, then closed
    page.wait_for_event("close")
    assert dialogs.asked[-1][0] == "beforeunload"
    assert len(dialogs.asked) == 4


def test_the_back_button_asks_first_within_the_canvas_and_off_it(canvas, live_server):
    page, url = canvas
    page.goto(f"{live_server.url}/admin/builder/")
    page.click("a:has-text('Welcome')")
    page.wait_for_url(url)
    page.click("#card-Praise .card-name a")
    page.wait_for_url(f"{url}?step=Praise")
    page.click("#card-Welcome_email .card-name a")
    page.wait_for_url(f"{url}?step=Welcome_email")
    dialogs = Dialogs(page)
    type_in_welcome_email(page)
    typed = subject(page)

    with page.expect_event("dialog"):  # back to the card opened before: stay
        page.evaluate("setTimeout(() => history.back(), 0)")
    assert dialogs.asked[-1][0] == "confirm"
    page.wait_for_url(f"{url}?step=Welcome_email")
    assert subject(page) == typed

    dialogs.leave = True
    with page.expect_event("dialog"):  # back again: leave, as asked
        page.evaluate("setTimeout(() => history.back(), 0)")
    page.wait_for_selector("#editor h2:has-text('Praise')")
    page.wait_for_url(f"{url}?step=Praise")

    page.click("#card-Welcome_email .card-name a")
    type_in_welcome_email(page)
    page.go_back()  # to ?step=Praise, asked and left
    page.wait_for_selector("#editor h2:has-text('Praise')")
    dialogs.leave = False
    page.click("#card-SMS_nudge .card-name a")
    page.wait_for_selector("#editor h2:has-text('SMS nudge')")
    page.click("#id_variant-0-body")
    page.keyboard.press("Control+End")
    page.keyboard.type(" Thanks!")
    asked = len(dialogs.asked)
    with page.expect_event("dialog"):  # back off the canvas, to the journey list: stay
        page.evaluate("setTimeout(() => history.go(-3), 0)")
    assert len(dialogs.asked) == asked + 1
    assert dialogs.asked[-1][0] == "beforeunload"
    assert page.input_value("#id_variant-0-body").endswith(" Thanks!")
    assert page.js_errors == []


def test_the_preview_contact_survives_a_save(canvas):
    page, url = canvas
    now = timezone.now()
    Contact.objects.create(
        user_id="maya",
        first_name="Maya",
        email="maya@example.com",
        first_seen_at=now,
        last_seen_at=now,
    )
    page.goto(f"{url}?step=Welcome_email")
    page.wait_for_selector("#preview .preview-variant")
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    page.fill("#id_variant-0-subject", "Hello {{ contact.first_name }}")
    page.click("#editor button:has-text('Save')")
    page.wait_for_selector("#editor .editor-message:has-text('Saved.')")
    assert page.input_value("#preview-contact") == "maya"
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    assert "Hello Maya" in page.inner_text("#preview")
    page.click("#card-Praise .card-name a")  # the next card previews as her too
    page.wait_for_selector("#editor h2:has-text('Praise')")
    assert page.input_value("#preview-contact") == "maya"
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    assert page.js_errors == []


def test_a_punctuated_name_reads_the_same_everywhere(canvas, axe):
    page, url = canvas
    name = "Day 2: “Hello!” — café & co."
    page.goto(f"{url}?step=Praise")
    page.fill("#id_name", name)
    page.fill("#id_variant-0-body", "Great start, {{ contact.nickname }}!")
    page.click("#editor button:has-text('Save')")
    page.wait_for_selector("#editor .editor-message:has-text('Saved.')")
    card = page.locator("#card-Day_2_Hello_cafe_co")
    expect(card.locator(".card-name")).to_have_text(f"Change {name}")
    expect(page.locator("#editor h2")).to_contain_text(name)
    assert page.input_value("#id_name") == name
    wait = page.inner_text("#card-Wait_for_a_note")
    assert "Day 2 Hello" not in wait
    assert "Day_2" not in wait
    expect(page.locator("#checks")).to_contain_text(f"“{name}”")
    assert "Day 2 Hello" not in page.inner_text("#checks")
    expect(page.get_by_label(f"Add a step after “{name}”", exact=True)).to_have_count(1)
    page.click("text=Publish…")
    page.wait_for_selector("text=What goes live")
    assert f"Added step “{name}” (Send a message)" in page.inner_text("#content")
    assert page.js_errors == []


def test_a_card_dragged_while_the_editor_has_changes_asks_first(editor_page, live_server):
    journey_create(name="Drag", by=None, document=DRAG, key="drag")
    page = editor_page
    page.goto(f"{live_server.url}/admin/builder/drag/?step=Hello")
    dialogs = Dialogs(page)
    page.click("#id_variant-0-subject")
    page.keyboard.type(" there")
    later = page.locator("#card-Later .card-type").bounding_box()
    hello = page.locator("#card-Hello .card-type").bounding_box()
    page.mouse.move(later["x"] + 20, later["y"] + 5)
    page.mouse.down()
    for step in range(1, 21):
        y = later["y"] + (hello["y"] - 10 - later["y"]) * step / 20
        page.mouse.move(later["x"] + 20, y)
    page.mouse.up()  # asked, and stays
    assert [kind for kind, _ in dialogs.asked] == ["confirm"]
    cards = page.locator("#steps > li.card")
    expect(cards).to_have_count(3)
    assert [cards.nth(i).get_attribute("id") for i in range(3)] == [
        "card-Hello",
        "card-Wait_a_day",
        "card-Later",
    ]
    assert page.input_value("#id_variant-0-subject") == "Hi there"
    steps = [step["id"] for step in Journey.objects.get(key="drag").draft_spec["steps"]]
    assert steps == ["Hello", "Wait_a_day", "Later"]
