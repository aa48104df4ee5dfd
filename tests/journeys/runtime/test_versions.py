"""New versions of a live journey: contacts drain on their version, or move by step id."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from channels.models import Message
from journeys.models import AuditEntry, DecisionTrace, Enrollment, MessageVariant
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.journeys import journey_import, journey_publish


def _version_of_message(channel: str) -> int:
    message = Message.objects.get(channel=channel)
    return MessageVariant.objects.get(pk=message.variant_id).step.version.number


def _enrolled_ada(make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    return ada


def test_drain_keeps_contacts_on_the_version_they_entered(
    live_welcome, welcome_doc, make_contact, send_event, run_worker
):
    ada = _enrolled_ada(make_contact, send_event, run_worker)
    welcome_doc["steps"][3]["variants"][0]["body"] = "Stuck? Reply to this."
    journey_import(data=welcome_doc, publish=True)
    bob = make_contact("bob")
    send_event(bob, "Signed Up", plan="free")
    run_worker()

    enrollments_wake_due(now=timezone.now() + timedelta(days=3))

    versions = dict(Enrollment.objects.values_list("contact__user_id", "version__number"))
    assert versions == {"ada": 1, "bob": 2}
    sms = Message.objects.filter(channel="sms").order_by("contact__user_id")
    assert [MessageVariant.objects.get(pk=m.variant_id).step.version.number for m in sms] == [1, 2]
    assert AuditEntry.objects.get(action="publish", diff__to_version=2).diff["migrate"] == "drain"
    assert Enrollment.objects.get(contact=ada).state == "completed"


def test_move_puts_open_enrollments_on_the_new_version_by_step_id(
    live_welcome, welcome_doc, make_contact, send_event, run_worker
):
    ada = _enrolled_ada(make_contact, send_event, run_worker)
    revision = Enrollment.objects.get(contact=ada).revision
    welcome_doc["steps"][3]["variants"][0]["body"] = "Stuck? Reply to this."
    journey_import(data=welcome_doc)

    journey_publish(journey=live_welcome, migrate="move")
    enrollments_wake_due(now=timezone.now() + timedelta(days=3))

    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.version.number == 2
    assert enrollment.revision == revision + 2  # moved, then woken
    assert _version_of_message("sms") == 2
    diff = AuditEntry.objects.get(action="publish", diff__to_version=2).diff
    assert (diff["migrate"], diff["moved"], diff["left_to_drain"]) == ("move", 1, 0)


def test_move_leaves_contacts_whose_step_is_gone_on_their_version(
    live_welcome, welcome_doc, make_contact, send_event, run_worker
):
    ada = _enrolled_ada(make_contact, send_event, run_worker)
    welcome_doc["steps"][1]["id"] = "wait_first_upload"

    journey_import(data=welcome_doc)
    journey_publish(journey=live_welcome, migrate="move")

    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.version.number == 1
    trace = DecisionTrace.objects.get(enrollment=enrollment, code="version.not_moved")
    assert trace.message == (
        'Stays on its version: step "wait_upload" does not exist in version 2.'
    )
    diff = AuditEntry.objects.get(action="publish", diff__to_version=2).diff
    assert diff["steps_added"] == ["wait_first_upload"]
    assert diff["steps_removed"] == ["wait_upload"]
    assert (diff["moved"], diff["left_to_drain"]) == (0, 1)
