"""Issue 19, point 2: a message never fails silently for missing data. A template value
this person lacks uses its fallback, or, with none, the step sends nothing; staff see the
problem on the contact's page, in the journey's problems and as a count on the step's
card; and the journey goes on to its next message."""

from __future__ import annotations

import html

import pytest
from django.contrib.auth.models import Group
from django.core import mail

from channels.delivery import queue
from channels.models import Message
from channels.rendering import MessageContent
from channels.tasks import deliver_messages
from journeys.models import ContactProblem, Enrollment
from journeys.run.journeys import journey_import

pytestmark = pytest.mark.django_db

# The user uploaded a file without a title; the first message prints the title with no
# fallback, the second prints it with one, the third needs nothing.
UPLOADS = {
    "format": "stepwise.journey/1",
    "key": "uploads",
    "name": "Uploads",
    "trigger": {"event": "Uploaded File"},
    "reentry": "never",
    "steps": [
        {"id": "thanks", "type": "message", "channel": "email", "variants": [
            {"subject": "“{{ event.properties.title }}” is safe", "body": "Saved."}]},
        {"id": "share", "type": "message", "channel": "in_app", "variants": [
            {"body": "Share {{ event.properties.title | default: 'it' }} with a team?"}]},
        {"id": "invite", "type": "message", "channel": "email", "variants": [
            {"subject": "Invite your team, {{ contact.first_name }}", "body": "Two is better."}]},
    ],
}  # fmt: skip


def _deliver() -> None:
    queued = list(Message.objects.filter(status="queued").values_list("pk", flat=True))
    deliver_messages(queued)


def test_a_missing_value_sends_nothing_for_its_step_and_the_journey_goes_on(
    make_contact, send_event, run_worker
):
    journey_import(data=UPLOADS, publish=True)
    ada = make_contact("ada")
    send_event(ada, "Uploaded File", filename="q3.pdf")  # no title
    run_worker()
    _deliver()

    by_step = {
        key: Message.objects.get(step_visit_id=visit)
        for key, visit in Enrollment.objects.get(contact=ada).visits.values_list("step__key", "pk")
    }
    assert by_step["thanks"].status == "failed"
    assert by_step["share"].body == "Share it with a team?"  # the fallback
    assert [m.subject for m in mail.outbox] == ["Invite your team, Ada"]  # the journey went on
    assert Enrollment.objects.get(contact=ada).state == "completed"

    problem = ContactProblem.objects.get()
    assert (problem.contact, problem.step_key, problem.kind) == (ada, "thanks", "not_sent")
    assert "The event has no “title”" in problem.reason


def test_staff_see_the_message_that_was_not_sent_on_the_contact_the_checks_and_the_card(
    make_contact, send_event, run_worker, client, django_user_model
):
    journey = journey_import(data=UPLOADS, publish=True)
    for name in ("ada", "bob"):
        send_event(make_contact(name), "Uploaded File", filename="q3.pdf")
    run_worker()
    _deliver()
    editor = django_user_model.objects.create_user("cs", is_staff=True)
    editor.groups.add(Group.objects.get(name="Journey editors"))
    client.force_login(editor)

    panel = html.unescape(
        client.get(f"/admin/builder/{journey.key}/checks/", HTTP_HX_REQUEST="true").content.decode()
    )
    canvas = html.unescape(client.get(f"/admin/builder/{journey.key}/").content.decode())
    client.force_login(django_user_model.objects.create_superuser("admin"))
    ada = ContactProblem.objects.filter(contact__user_id="ada").get().contact
    page = html.unescape(client.get(f"/admin/journeys/contact/{ada.pk}/change/").content.decode())

    assert (
        "2 people did not get this message: it needs a value they do not have. Newest reason: "
        "The event has no “title”."
    ) in panel
    assert 'data-card="card-thanks"' in panel
    card = canvas.split('id="card-thanks"')[1].split("</li>")[0]
    assert "2 people with a problem here" in card
    assert "with a problem here" not in canvas.split('id="card-invite"')[1].split("</li>")[0]
    assert (
        "<strong>Not sent:</strong> “Uploads”, at “Thanks”: the message was not sent: "
        "The event has no “title”."
    ) in page
    assert "The journey went on." in page


def test_a_test_send_that_cannot_render_records_no_problem_for_the_contact(
    make_contact, send_event, run_worker
):
    """A staff test send fails in the builder, not on the person's page."""
    ada = make_contact("ada")
    queue.test_send(
        channel="email",
        content=MessageContent(subject="{{ event.properties.title }}", body="x"),
        contact_id=ada.pk,
        to_address="casey@example.com",
    )
    _deliver()
    assert Message.objects.get().status == "failed"
    assert not ContactProblem.objects.exists()
