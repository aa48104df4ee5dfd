"""One contact's data can never stop everyone's events (issue 20, point 1): whatever a
step raises for one contact holds only that contact's work, which is retried with backoff
and then parked with a plain reason, while every other event of the batch goes on."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.utils import timezone

from channels.models import Message
from journeys.admin.contact_page import contact_page
from journeys.core.steps import registered
from journeys.models import Contact, ContactProblem, DecisionTrace, Enrollment, Event
from journeys.run.enrollments import enrollments_wake_due
from journeys.run.journeys import journey_import
from tests.journeys.runtime.raising_step import Ratio, Tally

TRIAL = {
    "format": "stepwise.journey/1",
    "key": "trial-ending",
    "name": "Trial ending",
    "trigger": {"event": "Trial Started"},
    "steps": [
        {
            "id": "tell_sales",
            "type": "notify",
            "to": "sales@example.com",
            "text": "{{ contact.first_name }}'s trial ends {{ event.trial_ends | date: '%b %d' }}",
        },
        {"id": "wait", "type": "delay", "duration": "P1D"},
    ],
}


def _journey(key: str, trigger: str, steps: list[dict]) -> dict:
    return {
        "format": "stepwise.journey/1",
        "key": key,
        "name": key.replace("-", " ").capitalize(),
        "trigger": {"event": trigger},
        "steps": steps,
    }


SEATS = _journey(
    "seats",
    "Seats Chosen",
    [{"id": "share_seats", "type": "tally"}, {"id": "wait", "type": "delay", "duration": "P1D"}],
)
WELCOME_SEATS = _journey(
    "seat-welcome",
    "Seats Chosen",
    [{"id": "hello", "type": "message", "channel": "in_app", "variants": [{"body": "Hi"}]}],
)


@pytest.fixture
def tally():
    with registered(Tally()):
        yield


def _rewind(contact) -> None:
    """Time passes: the contact's held events are due again."""
    Event.objects.filter(contact=contact, processed_at__isnull=True).update(
        retry_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_date_filter_on_a_huge_number_stops_nobody(db, make_contact, send_event, run_worker):
    """The issue's case: `| date:` on "99999999999999" raised ValueError in the note and
    rolled back every batch behind it. The note now falls back to its raw text."""
    journey_import(data=TRIAL, publish=True)
    mallory, ada = make_contact("mallory"), make_contact("ada")
    send_event(mallory, "Trial Started", trial_ends="99999999999999")
    send_event(ada, "Trial Started", trial_ends="2030-01-01")

    run_worker()

    assert Enrollment.objects.get(contact=ada).state == "waiting"
    assert Enrollment.objects.get(contact=mallory).state == "waiting"
    assert not Event.objects.filter(processed_at__isnull=True).exists()


def test_a_step_that_raises_holds_only_its_contact(db, tally, make_contact, send_event, run_worker):
    journey_import(data=SEATS, publish=True)
    mallory, ada, bob = make_contact("mallory"), make_contact("ada"), make_contact("bob")
    held = send_event(mallory, "Seats Chosen", seats="0")
    send_event(ada, "Seats Chosen", seats="2")
    send_event(bob, "Seats Chosen", seats=4)
    before = timezone.now()

    run_worker()

    assert Enrollment.objects.get(contact=ada).state == "waiting"
    assert Enrollment.objects.get(contact=bob).state == "waiting"
    assert not Enrollment.objects.filter(contact=mallory).exists()
    held.refresh_from_db()
    assert held.processed_at is None
    assert before + timedelta(seconds=29) < held.retry_at < timezone.now() + timedelta(seconds=31)
    problem = ContactProblem.objects.get()
    assert (problem.contact, problem.journey.key, problem.step_key) == (
        mallory,
        "seats",
        "share_seats",
    )
    assert (problem.attempts, problem.parked_at, problem.event) == (1, None, held)
    assert "division or modulo by zero" in problem.reason
    trace = DecisionTrace.objects.get(contact=mallory, code="engine.retry")
    assert trace.message.startswith(
        "Held: the step “Share seats” of “Seats” failed for this person: this person's data "
        "could not be worked out (integer division or modulo by zero). Stepwise tries again "
        "in 30 seconds (try 1 of 4)."
    )
    [line] = contact_page(contact=mallory).problems
    assert line.sentence.startswith(
        "“Seats”, at “Share seats”: this person's data could not be worked out (integer "
        "division or modulo by zero). Tried once; Stepwise tries again on "
    )

    # Not before its time: a run now leaves it alone, and Mallory's next event waits behind it.
    later = send_event(mallory, "Page Viewed")
    run_worker()
    later.refresh_from_db()
    assert (later.processed_at, later.retry_at) == (None, held.retry_at)
    assert ContactProblem.objects.get().attempts == 1


def test_after_the_last_try_only_that_journey_stops_for_the_contact(
    db, tally, make_contact, send_event, run_worker
):
    journey_import(data=SEATS, publish=True)
    journey_import(data=WELCOME_SEATS, publish=True)
    mallory = make_contact("mallory")
    held = send_event(mallory, "Seats Chosen", seats="lots")
    waits = []

    for _ in range(4):
        _rewind(mallory)
        started = timezone.now()
        run_worker()
        held.refresh_from_db()
        if held.processed_at is None:
            waits.append(round((held.retry_at - started).total_seconds() / 30) * 30)

    assert waits == [30, 120, 480]
    assert held.processed_at is not None
    problem = ContactProblem.objects.get()
    assert (problem.attempts, problem.parked_at is not None) == (4, True)
    # The other journey on the same event got it; the failing one never let Mallory in.
    assert Enrollment.objects.get(contact=mallory).journey.key == "seat-welcome"
    assert Message.objects.filter(contact=mallory).count() == 1
    stopped = DecisionTrace.objects.get(contact=mallory, code="engine.parked")
    assert stopped.message == (
        "Stopped: the step “Share seats” of “Seats” failed for this person 4 times: this "
        "person's data could not be worked out (invalid literal for int() with base 10: "
        "'lots'). This journey is stopped for them; everything else goes on."
    )


def test_a_waiting_enrollment_that_fails_is_parked_with_its_reason(
    db, tally, make_contact, send_event, run_worker, settings
):
    settings.ENGINE_RETRY_BASE_SECONDS = 0  # every retry is due at once
    journey_import(
        data=_journey(
            "upgrade",
            "Signed Up",
            [
                {"id": "wait_seats", "type": "wait_for_event", "event": "Seats Chosen"},
                {"id": "share_seats", "type": "tally"},
                {"id": "wait", "type": "delay", "duration": "P1D"},
            ],
        ),
        publish=True,
    )
    mallory, ada = make_contact("mallory"), make_contact("ada")
    for person in (mallory, ada):
        send_event(person, "Signed Up")
    run_worker()
    send_event(mallory, "Seats Chosen", seats=0)
    send_event(ada, "Seats Chosen", seats=5)

    for _ in range(4):
        run_worker()

    assert Enrollment.objects.get(contact=ada).state == "waiting"
    enrollment = Enrollment.objects.get(contact=mallory)
    assert (enrollment.state, enrollment.step_key) == ("failed", "wait_seats")
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    page = contact_page(contact=mallory)
    [trip] = page.trips
    assert trip.sentence.startswith("Upgrade v1 — stopped on ")
    assert trip.trace[-1][1].startswith(
        "Stopped: the step “Share seats” of “Upgrade” failed for this person 4 times: "
    )


def test_a_timer_that_fails_is_held_alone_then_parked(
    db, tally, make_contact, send_event, run_worker
):
    journey_import(
        data=_journey(
            "later",
            "Seats Chosen",
            [
                {"id": "pause", "type": "delay", "duration": "PT1H"},
                {"id": "share_seats", "type": "tally"},
                {"id": "wait", "type": "delay", "duration": "P1D"},
            ],
        ),
        publish=True,
    )
    mallory, ada = make_contact("mallory"), make_contact("ada")
    send_event(mallory, "Seats Chosen", seats="0")
    send_event(ada, "Seats Chosen", seats="3")
    run_worker()
    clock = timezone.now() + timedelta(hours=2)

    enrollments_wake_due(now=clock)

    assert Enrollment.objects.get(contact=ada).step_key == "wait"
    row = Enrollment.objects.get(contact=mallory)
    assert (row.state, row.step_key, row.retry_at) == (
        "waiting", "pause", clock + timedelta(seconds=30))  # fmt: skip
    assert enrollments_wake_due(now=clock + timedelta(seconds=10)) == 0  # not yet
    for wait in (30, 120, 480):
        clock += timedelta(seconds=wait)
        enrollments_wake_due(now=clock)
    row.refresh_from_db()
    assert row.state == "failed"
    problem = ContactProblem.objects.get()
    assert (problem.enrollment, problem.attempts, problem.parked_at) == (row, 4, clock)


@pytest.mark.postgres
def test_a_write_the_database_refuses_is_found_by_halving_the_batch(
    db, make_contact, send_event, run_worker
):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: SQLite stores NaN")
    with registered(Ratio()):
        journey_import(
            data=_journey(
                "ratios",
                "Ratio Seen",
                [
                    {"id": "save", "type": "ratio"},
                    {"id": "wait", "type": "delay", "duration": "P1D"},
                ],
            ),
            publish=True,
        )
        people = [make_contact(f"p{n}") for n in range(7)]
        for n, person in enumerate(people):
            send_event(person, "Ratio Seen", ratio="nan" if n == 4 else str(n))

        run_worker()

    held = Event.objects.get(processed_at__isnull=True)
    assert held.contact == people[4]
    assert Enrollment.objects.filter(state="waiting").count() == 6
    assert sorted(Contact.objects.exclude(traits={}).values_list("traits__ratio", flat=True)) == [
        0,
        1,
        2,
        3,
        5,
        6,
    ]
    problem = ContactProblem.objects.get()
    assert (problem.contact, problem.journey, problem.event) == (people[4], None, held)
    assert problem.reason.startswith("the database refused what Stepwise wrote for this person")


def test_the_journeys_problems_and_the_contact_page_say_who_stopped_and_why(
    db, tally, make_contact, send_event, run_worker, client, django_user_model
):
    journey = journey_import(data=SEATS, publish=True)
    mallory, ada = make_contact("mallory"), make_contact("ada")
    for person in (mallory, ada):
        send_event(person, "Seats Chosen", seats="0")
    run_worker()
    editor = django_user_model.objects.create_user("cs", is_staff=True)
    editor.groups.add(Group.objects.get(name="Journey editors"))
    client.force_login(editor)

    panel = client.get(f"/admin/builder/{journey.key}/checks/", HTTP_HX_REQUEST="true")
    client.force_login(django_user_model.objects.create_superuser("admin"))
    page = client.get(f"/admin/journeys/contact/{mallory.pk}/change/")

    text = html.unescape(panel.content.decode())
    assert (
        "2 people held here while Stepwise retries: their data made it fail. Newest reason: "
        "this person's data could not be worked out (integer division or modulo by zero)."
    ) in text
    assert 'data-card="card-share_seats"' in text
    assert page.status_code == 200
    assert (
        "<strong>Retrying:</strong> “Seats”, at “Share seats”: this person's data could not be "
        "worked out (integer division or modulo by zero). Tried once; Stepwise tries again on "
    ) in html.unescape(page.content.decode())


def test_a_note_to_the_team_says_what_a_message_would(
    db, make_contact, send_event, run_worker, django_capture_on_commit_callbacks
):
    """The note renders as a message does (the same call, the same `contact`), so what the
    builder's picker offers — a trait by its name, the contact's own fields — is filled in."""
    from django.core import mail  # noqa: PLC0415

    note = "{{ contact.first_name }} on {{ contact.plan }} ({{ contact.email }}): {{ event.seats }}"
    steps = [{"id": "tell_sales", "type": "notify", "to": "sales@example.com", "text": note}]
    journey_import(data=_journey("seats-note", "Seats Chosen", steps), publish=True)
    ada = make_contact("ada")
    type(ada).objects.filter(pk=ada.pk).update(
        first_name="Ada", email="ada@example.com", traits={"plan": "pro"}
    )
    send_event(ada, "Seats Chosen", seats=4)

    with django_capture_on_commit_callbacks(execute=True):
        run_worker()

    assert [email.body for email in mail.outbox] == ["Ada on pro (ada@example.com): 4"]
