"""Issue 18, point 10: a newcomer builds a journey from the screens alone. A trigger with a
filter, an in-app message, a wait with a time limit, an email with two variants and a
fallback, a wait until a time of day and an SMS; then a preview and a test send. The test
finds everything as a person does, by what the screen says (roles, labels, visible text;
no CSS selector), and counts every click, fill and choice: the count stays under 60."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import Locator, Page, expect

from journeys.people.sources import source_create
from tests.browser.builder.test_build_journey import run_worker, send_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MOST_ACTIONS = 60
WAIT = 20_000  # ms: the machine is shared, a slow answer is not a failure


class Newcomer:
    """A person at the builder: every click, fill or choice is one action."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions = 0

    def click(self, target: Locator) -> None:
        target.click()
        self.actions += 1

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)
        self.actions += 1

    def choose(self, target: Locator, label: str) -> None:
        target.select_option(label=label)
        self.actions += 1

    def field(self, label: str) -> Locator:
        return self.page.get_by_role("region", name="Editor").get_by_label(label, exact=True)

    def button(self, name: str) -> Locator:
        return self.page.get_by_role("button", name=name, exact=True)

    def save(self) -> None:
        self.click(self.button("Save"))
        editor = self.page.get_by_role("region", name="Editor")
        expect(editor).to_contain_text("Saved.", timeout=WAIT)

    def add(self, where: str, kind: str) -> None:
        """The "+" that says `where`, then the kind of step from its menu."""
        self.click(self.page.get_by_label(f"Add a step {where}", exact=True))
        menu = self.page.get_by_role("group", name=f"Choose the step to add {where}")
        self.click(menu.get_by_role("button", name=kind))
        editor = self.page.get_by_role("region", name="Editor")
        expect(editor).to_contain_text("fill it in", timeout=WAIT)


def test_a_newcomer_builds_previews_and_tests_a_journey_from_the_screens(
    editor_page, live_server, shot
):
    _, key = source_create(name="Acme Notes")  # the product already sends its events
    send_events(live_server, key)
    run_worker()
    page = editor_page
    you = Newcomer(page)
    page.goto(f"{live_server.url}/admin/builder/")

    you.click(page.get_by_text("New journey", exact=True))
    you.fill(page.get_by_label("Name", exact=True), "Welcome")
    you.click(page.get_by_role("button", name="Create"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome", timeout=WAIT)

    # Who enters: people who sign up on the free plan.
    you.click(page.get_by_role("link", name="Change who enters: Trigger"))
    you.fill(you.field("People enter when they do"), "Signed Up")
    filters = page.get_by_role("group", name="Only when the event has")
    expect(filters).to_contain_text("No conditions yet.")
    you.click(filters.get_by_role("button", name="Add a condition"))
    expect(filters.get_by_text("No conditions yet.")).to_be_hidden()
    test = filters.get_by_label("Test", exact=True)  # an event is filtered by its property
    assert test.evaluate("select => select.selectedOptions[0].text") == "A property of the event"
    you.fill(filters.get_by_label("Name", exact=True), "plan")
    you.fill(filters.get_by_label("Value", exact=True), "free")
    you.fill(you.field("Goal: they have succeeded when they do"), "Invited Teammate")
    you.save()
    expect(page.get_by_role("region", name="The journey, step by step")).to_contain_text(
        "where plan is “free”", timeout=WAIT
    )

    # A hello in the app.
    you.add("at the start of the journey", "Send a message")
    you.fill(you.field("Step name"), "Hello in the app")
    you.choose(you.field("Send by"), "In-app message")
    you.fill(you.field("Text"), "Welcome aboard! Write your first note.")
    you.save()

    # Wait up to 2 days for a first note.
    you.add("after “Hello in the app”", "Wait for something to happen")
    you.fill(you.field("Step name"), "Wait for a note")
    you.fill(you.field("Wait for the event"), "Created Note")
    you.fill(you.field("Wait at most"), "2 days")
    you.save()

    # No note in time: an email in two variants, with a fallback for a missing first name.
    lane = "at the top of the “If not within 2 days” lane of “Wait for a note”"
    you.add(lane, "Send a message")
    you.fill(you.field("Step name"), "Stuck email")
    you.fill(you.field("Subject"), 'Hi {{ contact.first_name | default: "there" }}')
    you.fill(you.field("Text"), "Your notebook is waiting for its first page.")
    you.click(you.button("Add a variant"))
    second = page.get_by_role("group", name="Variant B")
    you.fill(second.get_by_label("Subject", exact=True), "Need a hand with your first note?")
    you.fill(second.get_by_label("Text", exact=True), "Reply to this email: we read every one.")
    you.save()

    # Then wait for a weekday morning, and text them.
    you.add("after “Stuck email”", "Wait a while")
    you.fill(you.field("Step name"), "Weekday 10:00")
    you.fill(you.field("Wait"), "weekdays 10:00")
    you.save()
    you.add("after “Weekday 10:00”", "Send a message")
    you.fill(you.field("Step name"), "SMS nudge")
    you.choose(you.field("Send by"), "Text message (SMS)")
    you.fill(you.field("Text"), "Hi {{ contact.first_name }}, stuck? Reply and we help.")
    you.save()
    canvas = page.get_by_role("region", name="The journey, step by step")
    for name in ("Hello in the app", "Wait for a note", "Stuck email", "Weekday 10:00"):
        expect(canvas).to_contain_text(name)
    expect(canvas).to_contain_text("she goes on to the next step on Monday at 10:00.")
    expect(canvas).not_to_contain_text("goes on on")
    shot(page, "newcomer-canvas", full_page=True)

    # Preview the email as the sample person, then send a test of variant A to oneself.
    you.click(page.get_by_role("link", name="Change Stuck email"))
    preview = page.get_by_role("region", name="Preview").get_by_role("article", name="Variant A")
    expect(preview).to_contain_text("Subject: Hi Ada", timeout=WAIT)
    you.click(preview.get_by_role("button", name="Send a test"))
    expect(preview.get_by_role("status")).to_contain_text("casey@example.com", timeout=WAIT)
    shot(page, "newcomer-preview")
    run_worker()
    [test] = mail.outbox
    assert test.to == ["casey@example.com"]
    assert test.subject.startswith("[Test] Hi ")

    print(f"\nA newcomer's actions: {you.actions}")  # noqa: T201 - the count, for the docs
    assert you.actions < MOST_ACTIONS
    assert page.js_errors == []
