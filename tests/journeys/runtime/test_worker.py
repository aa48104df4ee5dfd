"""The issue's example journey end to end through the worker: events in, messages out."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels.models import Message
from journeys.models import DecisionTrace, Enrollment, Event, StepVisit, Subscription
from journeys.run.enrollments import enrollment_wake, enrollments_wake_due
from journeys.run.journeys import journey_import, journey_pause, journey_resume


def _visits(enrollment):
    return list(
        StepVisit.objects.filter(enrollment=enrollment)
        .order_by("seq")
        .values_list("step__key", "outcome")
    )


def _lines(contact):
    """Every explained line of the contact's decisions, oldest first."""
    rows = DecisionTrace.objects.filter(contact=contact).order_by("id")
    return [line for row in rows for line in row.data["lines"]]


def _codes(contact):
    return [line["code"] for line in _lines(contact)]


def test_signup_enrolls_sends_the_email_and_waits_for_the_upload(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")

    processed = run_worker()

    enrollment = Enrollment.objects.get(contact=ada)
    assert processed == 1
    assert (enrollment.state, enrollment.step_key) == ("waiting", "wait_upload")
    assert enrollment.version == live_welcome.current_version
    assert enrollment.wake_at == enrollment.step_entered_at + timedelta(days=2)
    assert _visits(enrollment) == [("hello", "sent"), ("wait_upload", "")]
    hello = StepVisit.objects.get(enrollment=enrollment, step__key="hello")
    message = Message.objects.get()
    assert (message.contact_id, message.channel, message.status) == (ada.pk, "email", "queued")
    assert (message.step_visit_id, message.journey_id) == (hello.pk, live_welcome.pk)
    assert message.variant_id == hello.variant_id
    assert message.context["journey"] == {"name": "Welcome"}
    assert message.context["event"]["properties"] == {"plan": "free"}
    assert Event.objects.filter(processed_at__isnull=True).count() == 0
    assert _codes(ada) == [
        "trigger",
        "audience",
        "entered",
        "started",
        "message",
        "waiting",
        "message.queued",
    ]


def test_upload_sends_the_in_app_praise_with_the_file_name_and_completes(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="trial")
    run_worker()
    send_event(ada, "Uploaded File", filename="deck.pdf")

    run_worker()

    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.state == "completed"
    assert enrollment.finished_at is not None
    assert enrollment.furthest_position == 3  # four steps on the path taken (not nudge)
    assert _visits(enrollment) == [
        ("hello", "sent"),
        ("wait_upload", "event"),
        ("praise", "sent"),
        ("end", "completed"),
    ]
    praise = Message.objects.get(channel="in_app")
    assert praise.step_visit_id == StepVisit.objects.get(step__key="praise").pk
    assert praise.context["event"]["filename"] == "deck.pdf"
    assert praise.context["event"]["properties"] == {"filename": "deck.pdf"}
    assert list(Message.objects.order_by("id").values_list("channel", flat=True)) == [
        "email",
        "in_app",
    ]


def test_no_upload_within_two_days_sends_the_sms_nudge(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada", phone="+14155550100")
    send_event(ada, "Signed Up", plan="free")
    run_worker()

    handled = enrollments_wake_due(now=timezone.now() + timedelta(days=2, minutes=1))

    enrollment = Enrollment.objects.get(contact=ada)
    assert handled == 1
    assert enrollment.state == "completed"
    assert _visits(enrollment) == [
        ("hello", "sent"),
        ("wait_upload", "timeout"),
        ("nudge", "sent"),
        ("end", "completed"),
    ]
    assert list(Message.objects.order_by("id").values_list("channel", flat=True)) == [
        "email",
        "sms",
    ]


def test_a_timer_not_yet_due_is_left_alone(live_welcome, make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()

    handled = enrollments_wake_due(now=timezone.now() + timedelta(days=1))

    assert handled == 0
    assert Enrollment.objects.get(contact=ada).state == "waiting"
    assert Message.objects.count() == 1


def test_trigger_conditions_and_audience_decide_entry(
    live_welcome, make_contact, send_event, run_worker
):
    paying = make_contact("bob")
    no_email = make_contact("cy", email="")
    send_event(paying, "Signed Up", plan="enterprise")
    send_event(no_email, "Signed Up", plan="free")

    run_worker()

    assert Enrollment.objects.count() == 0
    assert Message.objects.count() == 0
    assert _codes(paying) == ["trigger_mismatch"]
    assert _codes(no_email) == ["trigger", "not_in_audience"]


def test_contact_who_already_met_the_goal_is_not_enrolled_and_the_trace_says_so(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Invited Teammate", at=timezone.now() - timedelta(hours=1))
    send_event(ada, "Signed Up", plan="free")

    run_worker()

    assert Enrollment.objects.count() == 0
    assert Message.objects.count() == 0
    trace = DecisionTrace.objects.get(contact=ada, code="goal_already_met")
    assert trace.enrollment is None
    assert trace.message.splitlines()[-1].startswith(
        "not enrolled: already performed goal Invited Teammate at "
    )


def test_goal_converts_the_enrollment_and_stops_it(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    send_event(ada, "Invited Teammate")

    run_worker()
    handled = enrollments_wake_due(now=timezone.now() + timedelta(days=3))

    enrollment = Enrollment.objects.get(contact=ada)
    assert handled == 0
    assert (enrollment.state, enrollment.wake_at) == ("converted", None)
    assert _visits(enrollment) == [("hello", "sent"), ("wait_upload", "converted")]
    assert Message.objects.count() == 1


def test_exit_event_stops_the_enrollment(live_welcome, make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    send_event(ada, "Account Deleted")

    run_worker()

    enrollment = Enrollment.objects.get(contact=ada)
    assert enrollment.state == "exited"
    assert _visits(enrollment) == [("hello", "sent"), ("wait_upload", "exited")]
    assert DecisionTrace.objects.filter(enrollment=enrollment, code="exited").count() == 1


def test_reentry_never_refuses_a_second_signup(live_welcome, make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    send_event(ada, "Account Deleted")
    run_worker()
    send_event(ada, "Signed Up", plan="free")

    run_worker()

    assert list(Enrollment.objects.values_list("state", flat=True)) == ["exited"]
    assert Message.objects.count() == 1
    assert _codes(ada).count("reentry_never") == 1


def test_reentry_after_exit_enrolls_again_once_the_first_trip_ended(
    db, welcome_doc, make_contact, send_event, run_worker
):
    welcome_doc["reentry"] = "after_exit"
    journey_import(data=welcome_doc, publish=True)
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    send_event(ada, "Signed Up", plan="free")
    send_event(ada, "Account Deleted")
    send_event(ada, "Signed Up", plan="free")

    run_worker()

    states = list(Enrollment.objects.order_by("id").values_list("state", flat=True))
    assert states == ["exited", "waiting"]
    assert Message.objects.count() == 2
    assert _codes(ada).count("already_enrolled") == 1


def test_processing_the_same_batch_twice_sends_one_message_per_visit(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    Event.objects.update(processed_at=None)

    run_worker()

    assert Enrollment.objects.count() == 1
    assert StepVisit.objects.count() == 2
    assert Message.objects.count() == 1


def test_stale_wake_up_does_nothing(live_welcome, make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    scheduled = Enrollment.objects.get(contact=ada)
    send_event(ada, "Uploaded File", filename="a.png")
    run_worker()
    visits_before = StepVisit.objects.count()

    woke = enrollment_wake(
        enrollment_id=scheduled.pk,
        revision=scheduled.revision,
        now=timezone.now() + timedelta(days=3),
    )

    assert woke is False
    assert StepVisit.objects.count() == visits_before
    assert Message.objects.count() == 2
    assert Enrollment.objects.get(pk=scheduled.pk).state == "completed"


def test_wake_with_the_current_revision_fires(live_welcome, make_contact, send_event, run_worker):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    scheduled = Enrollment.objects.get(contact=ada)

    woke = enrollment_wake(
        enrollment_id=scheduled.pk,
        revision=scheduled.revision,
        now=timezone.now() + timedelta(days=3),
    )

    assert woke is True
    assert Message.objects.filter(channel="sms").count() == 1


def test_pause_holds_everyone_and_resume_lets_them_go_on(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    send_event(ada, "Signed Up", plan="free")
    run_worker()
    journey_pause(journey=live_welcome)
    bob = make_contact("bob")
    send_event(bob, "Signed Up", plan="free")
    run_worker()
    later = timezone.now() + timedelta(days=3)

    held = enrollments_wake_due(now=later)
    journey_resume(journey=live_welcome)
    resumed = enrollments_wake_due(now=later)

    assert (held, resumed) == (0, 1)
    assert list(Enrollment.objects.values_list("contact__user_id", "state")) == [
        ("ada", "completed")
    ]
    assert _codes(bob) == ["entry.paused"]
    assert list(Message.objects.order_by("id").values_list("channel", flat=True)) == [
        "email",
        "sms",
    ]


def test_opted_out_contact_gets_a_suppressed_message_and_the_trace_says_why(
    live_welcome, make_contact, send_event, run_worker
):
    ada = make_contact("ada")
    Subscription.objects.create(
        contact=ada, channel="email", state="unsubscribed", changed_at=timezone.now()
    )
    send_event(ada, "Signed Up", plan="free")

    run_worker()

    message = Message.objects.get()
    assert message.status == "suppressed"
    [line] = [line for line in _lines(ada) if line["code"] == "message.suppressed"]
    assert line["data"]["message_id"] == message.pk
    assert line["message"].startswith('Step "hello": not sent, ')
    decision = DecisionTrace.objects.get(contact=ada, code="waiting")
    assert decision.message.splitlines()[-1] == line["message"]


def _engine_queries(run_worker) -> int:
    """Queries of one worker run, leaving out those on channels' own tables."""
    with CaptureQueriesContext(connection) as queries:
        run_worker()
    return sum(
        1
        for query in queries.captured_queries
        if "channels_" not in query["sql"] and "journeys_subscription" not in query["sql"]
    )


def test_a_batch_costs_the_same_queries_for_10_or_40_contacts(
    live_welcome, make_contact, send_event, run_worker
):
    send_event(make_contact("first"), "Signed Up", plan="free")
    run_worker()  # loads the version into the cache and the event name into the catalogue
    for n in range(10):
        send_event(make_contact(f"small{n}"), "Signed Up", plan="free")
    small = _engine_queries(run_worker)
    for n in range(40):
        send_event(make_contact(f"big{n}"), "Signed Up", plan="free")

    big = _engine_queries(run_worker)

    assert Message.objects.count() == 51
    # PostgreSQL writes new rows with COPY, which the query log does not see; channels'
    # message_queue_many adds its contact look-up, the frequency cap's contact lock and a
    # savepoint, once per batch. Reports add five: goal names, first visits, known
    # assignments, conversions, the counter upsert.
    assert big == small == {"postgresql": 24, "sqlite": 26}[connection.vendor]


def test_update_contact_step_sets_traits_and_well_known_fields(
    db, make_contact, send_event, run_worker
):
    journey_import(
        data={
            "format": "stepwise.journey/1",
            "key": "tagging",
            "name": "Tagging",
            "trigger": {"event": "Signed Up"},
            "steps": [
                {
                    "id": "tag",
                    "type": "update_contact",
                    "set": {"stage": "welcomed", "first_name": "Augusta"},
                },  # fmt: skip
                {"id": "done", "type": "exit"},
            ],
        },
        publish=True,
    )
    ada = make_contact("ada", traits={"plan": "free"})
    send_event(ada, "Signed Up")

    run_worker()

    ada.refresh_from_db()
    assert ada.traits == {"plan": "free", "stage": "welcomed", "first_name": "Augusta"}
    assert ada.first_name == "Augusta"
    assert Enrollment.objects.get(contact=ada).state == "completed"


def test_outbox_falls_back_to_one_message_queue_call_per_message(
    live_welcome, make_contact, send_event, run_worker, monkeypatch
):
    monkeypatch.delattr("channels.delivery.queue.message_queue_many")
    ada, bob = make_contact("ada"), make_contact("bob")
    Subscription.objects.create(
        contact=bob, channel="email", state="unsubscribed", changed_at=timezone.now()
    )
    send_event(ada, "Signed Up", plan="free")
    send_event(bob, "Signed Up", plan="free")

    run_worker()
    Event.objects.update(processed_at=None)
    run_worker()

    messages = Message.objects.order_by("contact__user_id")
    assert [(m.contact.user_id, m.status) for m in messages] == [
        ("ada", "queued"),
        ("bob", "suppressed"),
    ]
    hello = StepVisit.objects.filter(step__key="hello").order_by("enrollment__contact__user_id")
    assert [m.step_visit_id for m in messages] == [visit.pk for visit in hello]
    assert _codes(bob).count("message.suppressed") == 1
