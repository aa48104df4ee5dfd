"""Messages stop when the journey does (issue 18, point 7): a message that waits — quiet
hours, the frequency cap, a retry, a slow provider — goes out only while its enrollment
still wants it. Reaching the goal, exiting, a paused or archived journey, an opt-out or an
erase cancel it, and staff read why on the contact page, the message page and the report."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from channels.delivery.messages import message_claim
from channels.delivery.subscriptions import subscription_set
from channels.models import Message
from channels.tasks import deliver_messages, send_due_messages
from journeys.models import Enrollment
from journeys.run.journeys import journey_archive, journey_pause
from journeys.run.privacy import contact_erase
from journeys.tasks import process_pending_events
from tests.fakes.http import FakePostmark

LATER = timedelta(days=1, hours=1)  # past any quiet hours that held a message


@pytest.fixture
def postmark(settings) -> Iterator[FakePostmark]:
    """A fake Postmark on 127.0.0.1 behind the real anymail backend."""
    server = FakePostmark().start()
    settings.MAILERS = {
        "default": {"BACKEND": "anymail.backends.postmark.EmailBackend", "OPTIONS": {}}
    }
    settings.ANYMAIL = {
        "POSTMARK_SERVER_TOKEN": "token",
        "POSTMARK_API_URL": server.url + "/",
        "REQUESTS_TIMEOUT": 30,
    }
    yield server
    server.stop()


@pytest.fixture
def quiet_all_day(settings):
    """Email quiet hours all day long: every welcome email is held."""
    settings.CHANNELS_QUIET_HOURS = {"email": "00:00-23:59"}
    settings.CHANNELS_FREQUENCY_CAP = 0


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_superuser("staff", "staff@example.com", "pw")
    client.force_login(user)
    return client


def _welcome(contact) -> Message:
    return Message.objects.get(contact=contact, channel="email", step_visit_id__isnull=False)


def _signed_up(make_contact, send_event, user_id: str):
    contact = make_contact(user_id)
    send_event(contact, "Signed Up", plan="free")
    process_pending_events(linger=0)
    return contact


def _report(key: str = "welcome") -> dict:
    out = io.StringIO()
    call_command("journey_report", key, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def test_an_email_held_for_quiet_hours_is_not_sent_once_the_goal_is_reached(
    live_welcome, make_contact, send_event, quiet_all_day, postmark, staff_client
):
    ada = _signed_up(make_contact, send_event, "ada")
    held = _welcome(ada)
    assert (held.status, held.deferred_reason) == ("queued", "quiet_hours")

    send_event(ada, "Invited Teammate")
    process_pending_events(linger=0)
    send_due_messages(now=timezone.now() + LATER)

    held.refresh_from_db()
    assert Enrollment.objects.get(contact=ada).state == "converted"
    assert (held.status, held.status_reason) == ("cancelled", "reached the goal first")
    assert postmark.requests == []
    contact_page = staff_client.get(reverse("admin:journeys_contact_change", args=[ada.pk]))
    assert '<strong>Not sent</strong><span class="help">reached the goal first</span>' in (
        contact_page.content.decode()
    )
    message_page = staff_client.get(reverse("admin:channels_message_change", args=[held.pk]))
    assert "Not sent: reached the goal first" in message_page.content.decode()
    welcome = [row for row in _report()["deliverability"] if row["step"] == "hello"]
    assert [row["cancelled_because"] for row in welcome] == [{"reached the goal first": 1}]
    assert welcome[0]["cancelled"] == 1


def test_an_email_held_by_the_frequency_cap_is_not_sent_once_the_contact_exits(
    live_welcome, make_contact, send_event, settings, postmark
):
    settings.CHANNELS_QUIET_HOURS = {}
    settings.CHANNELS_FREQUENCY_CAP = 1
    ben = make_contact("ben")
    now = timezone.now()
    Message.objects.create(
        contact=ben, channel="email", status="sent", scheduled_for=now, created_at=now
    )
    send_event(ben, "Signed Up", plan="free")
    process_pending_events(linger=0)
    held = _welcome(ben)
    assert (held.status, held.deferred_reason) == ("queued", "frequency_cap")

    send_event(ben, "Account Deleted")
    process_pending_events(linger=0)
    send_due_messages(now=now + LATER)

    held.refresh_from_db()
    assert (held.status, held.status_reason) == ("cancelled", "left the journey first")
    assert list(held.history.values_list("to_status", "detail")) == [
        ("queued", f"deferred (frequency_cap) until {held.scheduled_for.isoformat()}"),
        ("cancelled", "left the journey first"),
    ]
    assert postmark.requests == []


@pytest.mark.parametrize(
    ("stop", "reason"),
    [(journey_pause, "the journey was paused"), (journey_archive, "the journey was archived")],
)
def test_pausing_or_archiving_the_journey_cancels_what_waits(
    live_welcome, make_contact, send_event, quiet_all_day, postmark, stop, reason
):
    ada = _signed_up(make_contact, send_event, "ada")

    stop(journey=live_welcome)
    send_due_messages(now=timezone.now() + LATER)

    assert (_welcome(ada).status, _welcome(ada).status_reason) == ("cancelled", reason)
    assert postmark.requests == []


def test_an_opt_out_stops_the_email_that_waits_for_the_morning(
    live_welcome, make_contact, send_event, quiet_all_day, postmark
):
    ada = _signed_up(make_contact, send_event, "ada")

    subscription_set(
        contact_id=ada.pk, channel="email", state="unsubscribed", reason="preferences page"
    )
    send_due_messages(now=timezone.now() + LATER)

    held = _welcome(ada)
    assert held.status == "suppressed"
    assert held.status_reason.startswith("email unsubscribed: preferences page")
    assert postmark.requests == []


def test_erasing_the_person_cancels_what_waits(
    live_welcome, make_contact, send_event, quiet_all_day, postmark
):
    ada = _signed_up(make_contact, send_event, "ada")

    contact_erase(contact=ada)
    send_due_messages(now=timezone.now() + LATER)

    held = Message.objects.get(contact=ada)
    assert (held.status, held.status_reason) == ("cancelled", "the person's data was erased")
    assert postmark.requests == []


def test_a_goal_no_service_announced_is_still_seen_by_the_sender(
    live_welcome, make_contact, send_event, quiet_all_day, postmark
):
    """The check made at the moment of sending does not rely on anyone cancelling the
    message: an enrollment found converted when its message comes due stops it."""
    ada = _signed_up(make_contact, send_event, "ada")
    Enrollment.objects.filter(contact=ada).update(state="converted")
    due = timezone.now() + LATER

    assert message_claim(message_id=_welcome(ada).pk, now=due) is False
    outcomes = deliver_messages([_welcome(ada).pk], now=due)

    assert outcomes == {_welcome(ada).pk: "cancelled"}
    assert _welcome(ada).status_reason == "reached the goal first"
    assert postmark.requests == []


class _HeldPostmark(FakePostmark):
    """Holds its first send until released, as a slow ESP does."""

    def __post_init__(self) -> None:
        super().__post_init__()
        self.first_arrived, self.release = threading.Event(), threading.Event()

    def default_response(self, request):  # noqa: ANN001, ANN201
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            self.release.wait(timeout=60)
        return super().default_response(request)


@pytest.fixture
def held_postmark(settings, postmark) -> Iterator[_HeldPostmark]:
    server = _HeldPostmark().start()
    settings.ANYMAIL = {**settings.ANYMAIL, "POSTMARK_API_URL": server.url + "/"}
    yield server
    server.release.set()
    server.stop()


def _deliver_in_background(ids: list[int]) -> tuple[threading.Thread, dict]:
    """The delivery worker, in a thread of its own, at a time the held emails are due."""
    result: dict = {}

    def run() -> None:
        try:
            result["outcomes"] = deliver_messages(ids, now=timezone.now() + LATER)
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            result["error"] = exc
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_a_goal_reached_while_the_sender_works_through_its_batch_stops_the_later_message(
    live_welcome, make_contact, send_event, quiet_all_day, held_postmark
):
    """Two welcome emails held overnight go out in one delivery batch; the ESP is slow with
    the first. Ben reaches the goal meanwhile: his email, held by the same worker, is not
    sent."""
    ada = _signed_up(make_contact, send_event, "ada")
    ben = _signed_up(make_contact, send_event, "ben")
    ids = sorted([_welcome(ada).pk, _welcome(ben).pk])
    thread, result = _deliver_in_background(ids)
    assert held_postmark.first_arrived.wait(timeout=60), "the first send never reached the ESP"

    send_event(ben, "Invited Teammate")
    process_pending_events(linger=0)
    held_postmark.release.set()
    thread.join(timeout=60)

    assert "error" not in result, result
    assert [email["To"] for email in held_postmark.accepted] == ["ada@example.com"]
    assert (_welcome(ben).status, _welcome(ben).status_reason) == (
        "cancelled",
        "reached the goal first",
    )
    assert _welcome(ada).status == "sent"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="row locks are PostgreSQL's; SQLite's IMMEDIATE transactions serialise writers",
)
@pytest.mark.django_db(transaction=True)
def test_the_sender_waits_for_a_goal_being_written_and_then_does_not_send(
    live_welcome, make_contact, send_event, quiet_all_day, postmark
):
    """The goal's transaction holds the message while the sender tries to claim it: the
    claim waits for the commit and finds the message cancelled."""
    ada = _signed_up(make_contact, send_event, "ada")
    held = _welcome(ada)
    send_event(ada, "Invited Teammate")

    with transaction.atomic():
        process_pending_events(linger=0)  # converts and cancels, not yet committed
        thread, result = _deliver_in_background([held.pk])
        _wait_for_a_lock_wait()
    thread.join(timeout=60)

    assert "error" not in result, result
    assert result["outcomes"] == {}
    assert (_welcome(ada).status, _welcome(ada).status_reason) == (
        "cancelled",
        "reached the goal first",
    )
    assert postmark.requests == []


def _wait_for_a_lock_wait() -> None:
    """Until another backend of this database waits for a row lock (the sender's claim)."""
    deadline = time.monotonic() + 60
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            # Inside a transaction the activity view is a snapshot: take a fresh one.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the sender never waited for the goal's lock")
