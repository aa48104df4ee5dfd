"""The demo's sample traffic through the real worker: a journey with an A/B test and a
holdout with enough entrants that the report shows a chance to win, a sample-ratio check
and the holdout's lift, each in one plain sentence — and message counts that agree."""

from __future__ import annotations

import pytest

from channels.delivery.messages import message_mark_read
from channels.models import Message
from journeys.models import Journey
from journeys.people.sources import source_create
from journeys.reports.reading import journey_report
from journeys.reports.selectors import Filter
from journeys.tasks import process_pending_events
from onboarding.sample_traffic import TRAFFIC, load_sample_traffic
from tests.journeys.reports.test_counts_agree import assert_counts_agree

pytestmark = pytest.mark.timeout(300)


@pytest.fixture
def sample_report(db):
    source, _ = source_create(name="Demo app")
    load_sample_traffic(source_id=source.pk)
    load_sample_traffic(source_id=source.pk)  # idempotent
    while process_pending_events(linger=0):
        pass
    return journey_report(Journey.objects.get(key="trial-invite"), Filter())


def test_the_sample_ab_test_and_holdout_have_enough_traffic_to_read(sample_report):
    report = sample_report
    assert report.funnel.entered == TRAFFIC
    holdout, tip = report.experiments
    assert all(arm.entered >= 100 for arm in holdout.arms + tip.arms)
    assert tip.verdict.startswith("Variant B converts")
    assert "likely to be best" in tip.verdict
    assert holdout.lift.startswith("The journey adds")
    assert "95 % interval" in holdout.lift
    assert tip.sample_check.startswith("The variants got ")
    assert tip.sample_check.endswith("so the groups are comparable.")
    assert not holdout.sample_warning
    assert not tip.sample_warning
    assert report.headline.lift == holdout.lift
    assert report.funnel.ttc_median
    assert report.funnel.ttc_p90 > report.funnel.ttc_median


def test_message_counts_agree_on_the_sample_data(sample_report):
    journey = Journey.objects.get(key="trial-invite")
    for message in Message.objects.filter(journey_id=journey.pk)[:12]:
        message_mark_read(message_id=message.pk)  # read in the inbox, never marked sent
    rows = journey_report(journey, Filter()).deliverability
    assert_counts_agree(rows)
    assert sum(row.statuses["opened"] for row in rows) == 12
    assert sum(row.statuses["sent"] for row in rows) >= 12
