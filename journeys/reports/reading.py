"""One journey's report for a filter: the reads (selectors) fed to the pure builder."""

from __future__ import annotations

from django.utils import timezone

from journeys.models import Journey
from journeys.reports.report import JourneyReport, build_report
from journeys.reports.selectors import (
    Filter,
    report_days,
    report_outcomes,
    report_spec,
    report_totals,
)
from journeys.reports.wait_over import report_wait_over


def journey_report(journey: Journey, filter: Filter) -> JourneyReport:
    spec, version_id = report_spec(journey, filter)
    within = spec.goal.within if spec.goal is not None else None
    return build_report(
        key=journey.key,
        name=journey.name,
        version=filter.version,
        spec=spec,
        totals=report_totals(journey, filter, version_id),
        outcomes=report_outcomes(journey, filter, version_id),
        days=report_days(journey, filter, version_id),
        wait_over=report_wait_over(journey, filter, version_id, within=within, now=timezone.now()),
    )
