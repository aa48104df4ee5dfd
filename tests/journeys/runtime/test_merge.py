"""A contact merge carries the anonymous contact's journeys, traces and messages along."""

from __future__ import annotations

from channels.models import Message
from journeys.models import Contact, DecisionTrace, Enrollment
from journeys.run.contacts import contact_merge


def test_merge_moves_the_trip_its_traces_and_its_messages(
    live_welcome, make_contact, send_event, run_worker
):
    anonymous = make_contact("visitor")
    Contact.objects.filter(pk=anonymous.pk).update(user_id=None)
    anonymous.refresh_from_db()
    known = make_contact("ada", email="")
    send_event(anonymous, "Signed Up", plan="free")
    run_worker()

    contact_merge(source=anonymous, into=known)

    enrollment = Enrollment.objects.get()
    assert (enrollment.contact_id, enrollment.state) == (known.pk, "waiting")
    assert Message.objects.get().contact_id == known.pk
    assert DecisionTrace.objects.filter(contact=known).count() == 2
    assert not Contact.objects.filter(pk=anonymous.pk).exists()


def test_when_both_are_in_the_journey_the_known_trip_goes_on(
    live_welcome, make_contact, send_event, run_worker
):
    anonymous = make_contact("visitor")
    Contact.objects.filter(pk=anonymous.pk).update(user_id=None)
    anonymous.refresh_from_db()
    known = make_contact("ada")
    send_event(anonymous, "Signed Up", plan="free")
    send_event(known, "Signed Up", plan="trial")
    run_worker()

    contact_merge(source=anonymous, into=known)

    states = sorted(Enrollment.objects.filter(contact=known).values_list("state", flat=True))
    assert states == ["exited", "waiting"]
