"""One journey's report for a filter: the reads (selectors) fed to the pure builder."""

from __future__ import annotations

from journeys.models import Journey
from journeys.reports.report import JourneyReport, build_report
from journeys.reports.selectors import (
    Filter,
    report_days,
    report_outcomes,
    report_spec,
    report_totals,
)


def journey_report(journey: Journey, filter: Filter) -> JourneyReport:
    spec, version_id = report_spec(journey, filter)
    return build_report(
        key=journey.key,
        name=journey.name,
        version=filter.version,
        spec=spec,
        totals=report_totals(journey, filter, version_id),
        outcomes=report_outcomes(journey, filter, version_id),
        days=report_days(journey, filter, version_id),
    )
