"""Message counts agree: a message opened was sent and delivered, one clicked was opened.
Random tracking histories (any order of provider events, in-app reads) through the real
services, then the report's figures per step and variant."""

from __future__ import annotations

import itertools
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from channels.delivery.messages import message_mark_read, message_track
from channels.models import Message
from journeys.models import Journey
from journeys.reports.ladder import LADDER, ladder_counts, rung
from journeys.reports.reading import journey_report
from journeys.reports.selectors import Filter

TRACKED = [s for s in Message.Status.values if s != "queued"]
_runs = itertools.count()


def assert_counts_agree(rows) -> None:
    for row in rows:
        figures = row.statuses
        ladder = [figures[name] for name in LADDER]
        assert ladder == sorted(ladder, reverse=True), (row.step, figures)


@settings(
    max_examples=int(os.environ.get("STEPWISE_EXAMPLES", "25")),
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(histories=st.lists(st.lists(st.sampled_from([*TRACKED, "read"]), max_size=5), max_size=4))
def test_sent_delivered_opened_clicked_agree_over_random_histories(
    trial, contact_on_path, send_event, run_worker, histories
):
    run = next(_runs)
    people = [contact_on_path(0, prefix=f"r{run}x{i}") for i in range(len(histories))]
    for contact in people:
        send_event(contact, "Signed Up")
    run_worker()
    for contact in people:
        send_event(contact, "Uploaded File")  # on to the in-app "praise"
    run_worker()
    messages = list(Message.objects.filter(contact__in=people).order_by("pk"))
    for message, history in zip(messages, itertools.cycle(histories or [[]])):
        for status in history:
            if status == "read":
                message_mark_read(message_id=message.pk)
            else:
                message_track(status=status, message_id=message.pk)
    report = journey_report(Journey.objects.get(key="trial"), Filter())
    assert_counts_agree(report.deliverability)
    rows = report.deliverability
    mine = Message.objects.filter(journey_id=trial.pk)
    assert sum(r.statuses["sent"] for r in rows) <= mine.count()
    # every message read or opened counts as opened, whatever its status is now
    assert sum(r.statuses["opened"] for r in rows) >= mine.filter(opened_at__isnull=False).count()
    assert sum(r.statuses["clicked"] for r in rows) >= mine.filter(status="clicked").count()


def test_an_in_app_message_read_without_a_sent_status_counts_as_sent():
    # queued, then read in the inbox: status "opened", no sent_at or delivered_at
    assert rung("opened", (False, False, True, False)) == 2
    assert ladder_counts([(2, 12)]) == {"sent": 12, "delivered": 12, "opened": 12, "clicked": 0}
    # clicked, then unsubscribed: still clicked
    assert rung("unsubscribed", (True, True, True, True)) == 3
    assert rung("queued", (False, False, False, False)) == -1
