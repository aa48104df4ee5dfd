"""The test-only step type of test_new_step_type.py, listed only in the test settings,
shows up wherever a built-in type does: the builder's "+" menu, its edit form, its card,
its preview and the checks; the dry run; the report page; the contact page; the privacy
export. No other source file knows it."""

from __future__ import annotations

import html
import re

import pytest
from django.contrib.auth.models import Group

from journeys.builder.drafts import journey_create
from journeys.models import Contact, Journey
from journeys.run.journeys import journey_import
from journeys.run.privacy import contact_export
from tests.journeys.core.helpers import journey_doc

pytestmark = pytest.mark.django_db

QUESTION = {
    "id": "ask",
    "type": "question",
    "text": "What should I call you, {{ contact.first_name }}?",
    "trait": "nickname",
    "timeout": "PT2H",
}
STEPS = [
    QUESTION,
    {"id": "thanks", "type": "message", "channel": "in_app", "variants": [{"body": "Thanks!"}]},
    {"id": "done", "type": "exit"},
]


@pytest.fixture
def staff(client, django_user_model):
    user = django_user_model.objects.create_user("ada", "ada@example.com", "pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Journey editors"))
    client.force_login(user)
    return client


@pytest.fixture
def draft(staff):
    return journey_create(name="Nicknames", by=None, document=journey_doc(STEPS))


def url(journey: Journey, tail: str = "") -> str:
    return f"/admin/builder/{journey.key}/{tail}"


def post(client, journey, tail, data):
    journey.refresh_from_db()
    data = {"revision": str(journey.draft_revision)} | data
    return client.post(url(journey, tail), data, HTTP_HX_REQUEST="true")


def text_of(response) -> str:
    return html.unescape(response.content.decode())


def test_the_plus_menu_offers_it_and_inserts_its_blank_step(staff):
    journey = journey_create(name="Nicknames", by=None)

    page = text_of(staff.get(url(journey)))
    inserted = post(staff, journey, "insert/", {"type": "question"})

    journey.refresh_from_db()
    assert "Ask and remember" in page
    assert "Ask in the app and save the answer on the contact." in page
    assert inserted.status_code == 200
    assert journey.draft_spec["steps"][0] == {
        "id": "Question",
        "type": "question",
        "text": "What should I call you?",
        "trait": "nickname",
    }


def test_its_declared_form_edits_it_in_words(staff, draft):
    form = text_of(staff.get(url(draft, "steps/ask/")))

    saved = post(
        staff,
        draft,
        "steps/ask/",
        {"name": "ask", "text": "Your nickname?", "trait": "nick", "timeout": "3 hours"},
    )
    refused = post(staff, draft, "steps/ask/", {"name": "ask", "text": "", "timeout": "soon"})

    draft.refresh_from_db()
    assert "Question to ask" in form
    assert "Wait for the answer at most" in form
    assert 'value="2 hours"' in form
    assert saved.status_code == 200
    assert draft.draft_spec["steps"][0] == {
        "id": "ask",
        "type": "question",
        "text": "Your nickname?",
        "trait": "nick",
        "timeout": "PT3H",
    }
    assert refused.status_code == 422
    assert "This field is required." in text_of(refused)


def test_its_card_reads_its_summary_its_timing_and_its_ways_out(staff, draft):
    page = text_of(staff.get(url(draft)))

    assert "Ask “What should I call you, [first name]?” and save the answer as nickname" in page
    assert "she takes the other path the same day at 20:00 (2 hours later)" in page
    assert "Silent for 2 hours" in page
    assert "card-look-wait" in page


def test_its_preview_renders_what_it_sends(staff, draft):
    editor = text_of(staff.get(url(draft, "steps/ask/")))
    preview = text_of(staff.get(url(draft, "steps/ask/preview/")))

    assert 'id="preview"' in editor
    assert "What should I call you, Ada?" in preview


def test_the_checks_show_its_own_warning(staff, draft):
    post(
        staff,
        draft,
        "steps/ask/",
        {"name": "ask", "text": "Hi?", "trait": "n", "timeout": "8 days"},
    )

    checks = text_of(staff.get(url(draft, "checks/")))

    assert "Waits a week or more for an answer: most people have forgotten by then." in checks


def test_the_dry_run_simulates_it(staff, draft):
    script = "now: Signed Up\n1 hour: Answered ask, answer = Bea"

    result = text_of(post(staff, draft, "dry-run/", {"script": script}))

    words = " ".join(re.sub(r"<[^>]+>", " ", result).split())
    assert "At the start: Reaches “Ask” At the start: Gets an in-app message, variant A" in words
    assert "At the start: Waits for Answered ask until" in words
    assert "After 1 hour: Reaches “Thanks”" in words


@pytest.fixture
def ada_waiting(make_contact, send_event, run_worker):
    journey_import(data=journey_doc(STEPS), publish=True)
    ada = make_contact("ada")
    send_event(ada, "Signed Up")
    run_worker()
    return Contact.objects.get(pk=ada.pk)


def test_the_contact_page_says_where_they_wait(staff, ada_waiting):
    page = text_of(staff.get(f"/admin/journeys/contact/{ada_waiting.pk}/change/"))

    assert "waiting at “Ask”" in page
    assert "asked nickname, waiting for the answer" in page


def test_the_report_lists_it_with_its_summary(staff, ada_waiting, django_user_model):
    journey = Journey.objects.get()
    staff_user = django_user_model.objects.get(username="ada")
    staff_user.groups.add(Group.objects.get(name="Report viewers"))

    page = text_of(staff.get(f"/admin/reports/{journey.key}/"))

    words = " ".join(re.sub(r"<[^>]+>", " ", page.split("<main")[1]).split())
    assert "Ask: 1 reached, 100 % of entrants; Thanks: 0 reached" in words
    assert "Ask: 1 waiting (1 still in progress, 0 with the wait over), 0 left here" in words
    assert "Ask Only one version 0 1 1" in words  # sent and delivered at once: in-app


def test_the_privacy_export_holds_what_it_decided(ada_waiting):
    document = contact_export(user_id="ada")

    decided = "\n".join(d["message"] for d in document["decisions"])
    assert "asked nickname, waiting for the answer" in decided
