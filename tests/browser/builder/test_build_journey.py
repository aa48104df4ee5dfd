"""Issue 8's "Done means", in a real browser: a new staff member builds the Slackbot-style
welcome from an empty builder, previews it as a real contact, meets and fixes a problem,
sends a test, publishes, and the worker then sends exactly what the canvas showed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect
from segment.analytics import Client

from channels.models import Message
from channels.tasks import deliver_messages
from journeys.builder.drafts import journey_create
from journeys.builder.library import template
from journeys.models import AuditEntry, Journey
from journeys.people.sources import source_create
from journeys.tasks import process_pending_events

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def saved(page) -> None:
    page.wait_for_selector("#editor .editor-message:has-text('Saved.')")


def quiet(page) -> None:
    """htmx has finished every request and swap, and wired what it swapped in: it takes
    `htmx-added` off new content in the same step that wires its links and forms."""
    busy = ".htmx-request, .htmx-settling, .htmx-swapping, .htmx-added"
    expect(page.locator(busy)).to_have_count(0)


def plus(page, lane: str | None = None):
    """Open the "+" at the top of the canvas, or at the top of the lane labelled `lane`."""
    if lane is None:
        slot = page.locator("#steps > li.slot").first
    else:
        slot = page.locator(f"li.lane:has(> p.lane-label:text-is('{lane}')) > ul > li.slot").first
    slot.locator("summary").click()
    return slot


def add_step(page, label: str, *, after: str | None = None, lane: str | None = None) -> None:
    if after is not None:
        slot = page.locator(f"#card-{after} + li.slot")
        slot.locator("summary").click()
    else:
        slot = plus(page, lane)
    slot.locator(f"button.palette-item:has-text('{label}')").click()
    page.wait_for_selector("#editor .editor-message:has-text('fill it in')")


def send_events(live_server, key: str) -> None:
    # Retries as the SDK does in production.
    analytics = Client(key, host=live_server.url, sync_mode=True, max_retries=5)
    analytics.identify("maya", {"email": "maya@example.com", "firstName": "Maya"})
    analytics.track("maya", "Signed Up", {"plan": "free"})
    analytics.identify("piet", {"email": "piet@example.com", "firstName": "Piet"})
    analytics.track("piet", "Signed Up", {"plan": "enterprise"})  # filtered out
    analytics.flush()


def run_worker() -> None:
    """The worker's own units: process new events, then deliver what they queued."""
    process_pending_events(linger=0)
    queued = list(Message.objects.filter(status="queued").values_list("pk", flat=True))
    if queued:
        deliver_messages(queued)


def test_a_new_staff_member_builds_tests_and_publishes_the_welcome(
    editor_page, live_server, axe, shot
):
    page = editor_page
    source, key = source_create(name="Acme Notes")
    send_events(live_server, key)  # the catalogue now knows Signed Up; nobody is enrolled
    run_worker()

    # From the empty builder: a new, blank journey.
    page.goto(f"{live_server.url}/admin/builder/")
    page.click("text=New journey")
    page.fill("#id_name", "Welcome")
    page.click("#new-journey-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/admin/builder/welcome/")
    page.wait_for_load_state()
    page.locator("#checks h2").wait_for()
    page.locator("#dry-run textarea").wait_for()
    assert axe(page) == []

    # The trigger: Signed Up, for the free and trial plans; the goal.
    page.click("#card-trigger a:has-text('Trigger')")
    page.fill("#id_event", "Signed Up")
    page.click("#editor .add-condition")
    page.select_option("#id_where-0-kind", "property")
    page.fill("#id_where-0-name", "plan")
    page.select_option("#id_where-0-op", "in")
    page.fill("#id_where-0-value", "free, trial")
    page.fill("#id_goal", "Invited Teammate")
    page.fill("#id_goal_within", "14 days")
    page.click("#editor button:has-text('Save')")
    saved(page)
    trigger_card = page.inner_text("#card-trigger")
    assert "Starts when someone does “Signed Up”, where plan is “free” or “trial”." in trigger_card
    assert "Sent 2 times" in page.inner_text("#card-trigger")

    # A welcome email with two variants using Liquid.
    add_step(page, "Send a message")
    page.fill("#id_name", "Welcome email")
    page.fill("#id_variant-0-subject", "Welcome, {{ contact.first_name }}")
    page.fill("#id_variant-0-body", "Hi {{ contact.first_name }}, write your **first note**.")
    page.click("#editor button:has-text('Add a variant')")
    page.wait_for_selector("#id_variant-1-subject")
    page.fill("#id_variant-1-subject", "{{ contact.first_name }}, your notebook is ready")
    page.fill("#id_variant-1-body", "Fill the first page, ")
    page.locator("#id_variant-1-body").press("End")
    picker = page.locator("#id_variant-1-body_personalise")
    picker.get_by_text("Personalise").click()
    picker.get_by_label("Show").select_option("contact.first_name")  # "First name"
    picker.get_by_role("button", name="Insert where the cursor is").click()
    page.keyboard.type(".")
    assert (
        page.input_value("#id_variant-1-body") == "Fill the first page, {{ contact.first_name }}."
    )
    page.click("#editor button:has-text('Save')")
    saved(page)
    assert axe(page) == []
    shot(page, "editor")

    # Wait for Created Note, up to 2 days.
    add_step(page, "Wait for something to happen", after="Welcome_email")
    page.fill("#id_name", "Wait for a note")
    page.fill("#id_event", "Created Note")
    page.fill("#id_timeout", "2 days")
    page.click("#editor button:has-text('Save')")
    saved(page)
    card = page.inner_text("#card-Wait_for_a_note")
    assert "Wait up to 2 days for Created Note" in card
    assert "she takes the other path on Sunday at 18:00" in card

    # The note came: in-app praise with a button.
    add_step(page, "Send a message", lane="If Created Note happens")
    page.fill("#id_name", "Praise")
    page.select_option("#id_channel", "in_app")
    page.fill("#id_variant-0-subject", "Nice first note!")
    page.fill("#id_variant-0-body", "Great start, {{ contact.first_name }}! Invite a teammate.")
    page.fill("#id_variant-0-url", "https://app.example.com/team/invite")
    page.fill("#id_variant-0-cta", "Invite a teammate")
    page.click("#editor button:has-text('Save')")
    saved(page)

    # No note in time: a branch on a trait, and an SMS nudge for those with a phone.
    add_step(page, "Branch on a condition", lane="If not within 2 days")
    page.fill("#id_name", "Has a phone")
    page.fill("#id_conditions-0-name", "phone")
    page.select_option("#id_conditions-0-op", "exists")
    page.fill("#id_conditions-0-value", "")
    page.click("#editor button:has-text('Save')")
    saved(page)
    add_step(page, "Send a message", lane="Yes")
    page.fill("#id_name", "SMS nudge")
    page.select_option("#id_channel", "sms")
    page.fill("#id_variant-0-body", "Hi {{ contact.first_name , stuck? https://app.example.com")
    page.click("#editor button:has-text('Save')")
    saved(page)

    # The validation panel names the problem on its card; fixing it clears it.
    panel = page.locator("#checks")
    panel.locator("li.check-error:has-text('SMS nudge')").wait_for()
    assert "“SMS nudge”, variant A, text" in panel.inner_text()
    assert "steps[" not in panel.inner_text()
    assert axe(page, context="#checks") == []
    shot(page, "validation", selector="#checks")
    quiet(page)
    panel.locator("a:has-text('SMS nudge')").click()
    page.wait_for_selector("#editor .editor-message", state="detached")  # the editor reopened
    page.wait_for_selector("#editor h2:has-text('SMS nudge')")
    page.fill("#id_variant-0-body", "Hi {{ contact.first_name }}, stuck? https://app.example.com")
    page.click("#editor button:has-text('Save')")
    saved(page)
    expect(page.locator("#checks li.check-error")).to_have_count(0)
    assert "SMS nudge" not in panel.inner_text().split("Warning")[0]
    page.locator("#dry-run textarea").wait_for()
    assert axe(page) == []  # the whole canvas, with its cards, lanes and panels
    shot(page, "canvas", full_page=True)

    # Preview the welcome email as a real contact, then send a test to myself.
    page.click("#card-Welcome_email .card-name a")
    page.wait_for_selector("#editor h2:has-text('Welcome email')")
    page.wait_for_selector("#preview .preview-variant")
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    subjects = page.locator("#preview .preview-subject strong").all_inner_texts()
    assert subjects == ["Welcome, Maya", "Maya, your notebook is ready"]
    frame = page.frame_locator("#preview iframe").first
    assert "write your first note" in frame.locator("body").inner_text()
    assert axe(page, context="#editor") == []
    shot(page, "preview", selector="#preview")
    page.locator("#preview .test-send button").first.click()
    page.wait_for_selector("#preview .sent-ok")
    run_worker()
    [test_email] = mail.outbox
    assert test_email.to == ["casey@example.com"]
    assert test_email.subject == "[Test] Welcome, Maya"

    # Publish, with the changes in words.
    page.click("text=Publish…")
    page.wait_for_selector("text=What goes live")
    body = page.inner_text("#content")
    assert "Added step “Welcome email” (Send a message)" in body
    assert "Nobody is in this journey yet" in body
    assert axe(page) == []
    shot(page, "publish")
    page.click("button:has-text('Publish Welcome')")
    page.wait_for_selector(".status-live")
    journey = Journey.objects.get(key="welcome")
    assert journey.current_version.number == 1

    # Events through the event API: the worker sends what the canvas showed.
    quiet(page)
    page.goto("about:blank")
    mail.outbox.clear()
    # Retries as the SDK does in production.
    analytics = Client(key, host=live_server.url, sync_mode=True, max_retries=5)
    analytics.track("maya", "Signed Up", {"plan": "free"})
    analytics.track("piet", "Signed Up", {"plan": "enterprise"})
    analytics.flush()
    run_worker()
    [welcome] = mail.outbox
    assert welcome.to == ["maya@example.com"]
    assert welcome.subject in subjects
    assert not Message.objects.filter(contact__user_id="piet").exists()
    analytics.track("maya", "Created Note", {"title": "Groceries"})
    analytics.flush()
    run_worker()
    praise = Message.objects.get(contact__user_id="maya", channel="in_app")
    assert praise.status in {"sent", "delivered"}
    page.goto(f"{live_server.url}/admin/builder/welcome/?step=Praise")
    page.wait_for_selector("#preview .preview-variant")
    page.fill("#preview-contact", "maya")
    page.click("#preview-as button")
    page.wait_for_selector("#preview .help:has-text('As Maya')")
    bubble = page.inner_text("#preview .chat-bubble")
    assert "Great start, Maya! Invite a teammate." in bubble
    assert "Invite a teammate" in page.inner_text("#preview .chat-button")
    assert praise.body in bubble  # exactly what the canvas showed
    assert praise.url == "https://app.example.com/team/invite"
    assert "here now" not in page.inner_text("#canvas")  # she finished with the praise
    counts = page.inner_text("#card-Welcome_email")
    assert "1 passed it" in counts, counts
    page.click("#card-Wait_for_a_note .card-here a")
    page.wait_for_selector("text=Went past it")
    assert axe(page) == []
    page.click("text=Maya (maya)")
    page.wait_for_url(re.compile(r"/admin/journeys/contact/\d+/"))
    assert AuditEntry.objects.filter(journey=journey, action="publish").exists()
    assert page.js_errors == [], page.js_errors


def test_undo_redo_stale_save_viewer_and_audit(
    editor_page, second_editor_page, viewer_page, live_server, axe
):
    journey_create(name="Welcome", by=None, document=template("slackbot-welcome").fresh())
    canvas = f"{live_server.url}/admin/builder/welcome/"
    page = editor_page
    page.goto(canvas)
    page.locator("#card-Praise + li.slot summary").click()
    page.locator("#card-Praise + li.slot button.palette-item:has-text('Wait a while')").click()
    page.wait_for_selector("#card-Wait_a_day")
    quiet(page)
    page.click("#undo-button")
    page.wait_for_selector("#card-Wait_a_day", state="detached")
    page.wait_for_selector("#redo-button:not([disabled])")
    page.keyboard.press("Control+y")
    expect(page.locator("#card-Wait_a_day")).to_have_count(1)

    # Two staff at once: Grace saves first; Casey's save is refused, his text kept.
    page.click("#card-Welcome_email .card-name a")
    page.wait_for_selector("#id_variant-0-subject")
    other = second_editor_page
    other.goto(f"{canvas}?step=Welcome_email")
    other.fill("#id_variant-0-subject", "Grace's subject")
    other.click("#editor button:has-text('Save')")
    saved(other)
    page.fill("#id_variant-0-subject", "Casey's subject")
    page.click("#editor button:has-text('Save')")
    page.wait_for_selector("#editor .stale")
    stale = page.inner_text("#editor .stale")
    assert "grace changed this journey after you opened it" in stale
    assert "Grace's subject" in stale
    assert page.input_value("#id_variant-0-subject") == "Casey's subject"
    page.click("#editor button:has-text('Save')")
    saved(page)
    assert "Casey's subject" in str(Journey.objects.get(key="welcome").draft_spec)

    # The audit log shows who changed what, in words.
    page.goto(f"{canvas}versions/")
    log = page.inner_text(".audit-log")
    assert re.search(r"casey.*Changed the subject of “Welcome email”", log, re.S)
    assert axe(page) == []

    # The outline: the same journey as a list, lanes named, each step a link.
    page.goto(f"{canvas}outline/")
    outline = page.inner_text(".outline")
    assert "If not within 2 days: Has a phone" in outline
    assert axe(page) == []
    page.keyboard.press("Tab")
    page.click(".outline a:has-text('SMS nudge')")
    page.wait_for_selector("#editor h2:has-text('SMS nudge')")

    # A report viewer sees the journey and cannot change it.
    viewer_page.goto(canvas)
    assert "you cannot change it" in viewer_page.inner_text(".history")
    assert viewer_page.locator("li.slot").count() == 0
    viewer_page.click("#card-Welcome_email .card-name a")
    viewer_page.wait_for_selector("#editor h2:has-text('Welcome email')")
    assert viewer_page.locator("#editor fieldset[disabled]").count() == 1
    assert viewer_page.locator("#editor button:has-text('Save')").count() == 0
    # The refused save answered 409 on purpose; the browser logs that status, nothing else.
    assert [error for error in page.js_errors if "409 (Conflict)" not in error] == []
    assert viewer_page.js_errors == []


# Three cards in a row, for dragging.
DRAG = {
    "format": "stepwise.journey/1",
    "key": "drag",
    "name": "Drag",
    "trigger": {"event": "Signed Up"},
    "steps": [
        {"id": "Hello", "type": "message", "channel": "email",
         "variants": [{"name": "A", "subject": "Hi", "body": "Hello"}]},
        {"id": "Wait_a_day", "type": "delay", "duration": "P1D"},
        {"id": "Later", "type": "message", "channel": "email",
         "variants": [{"name": "A", "subject": "Later", "body": "Hello again"}]},
    ],
}  # fmt: skip


def test_a_card_dragged_up_its_path_moves_there(editor_page, live_server, axe):
    journey_create(name="Drag", by=None, document=DRAG, key="drag")
    page = editor_page
    page.goto(f"{live_server.url}/admin/builder/drag/")
    page.locator("#card-Later").wait_for()
    quiet(page)
    later = page.locator("#card-Later .card-type").bounding_box()
    hello = page.locator("#card-Hello .card-type").bounding_box()
    page.mouse.move(later["x"] + 20, later["y"] + 5)
    page.mouse.down()
    for step in range(1, 21):
        y = later["y"] + (hello["y"] - 10 - later["y"]) * step / 20
        page.mouse.move(later["x"] + 20, y)
    # SortableJS has put it first on the page before the drop.
    expect(page.locator("#steps > li.card").first).to_have_id("card-Later")
    page.mouse.up()
    page.wait_for_selector("#editor .editor-message:has-text('Moved.')")
    steps = [step["id"] for step in Journey.objects.get(key="drag").draft_spec["steps"]]
    assert steps[0] == "Later"
    assert page.js_errors == []
