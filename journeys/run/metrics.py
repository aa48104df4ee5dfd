"""Prometheus metrics of the event API and the engine (served at GET /metrics).

Counters and histograms only: backlog ages are read from the database at scrape time
(onboarding/ops.py), never kept in a process."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS_ACCEPTED = Counter("stepwise_events_accepted", "Events the API acknowledged.")
EVENTS_REFUSED = Counter(
    "stepwise_events_refused",
    "Events or requests the API refused, by reason.",
    ["reason"],
)
ENGINE_BATCH_SECONDS = Histogram(
    "stepwise_engine_batch_seconds",
    "Time to carry one batch of new events through the engine (one transaction).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
ENGINE_EVENTS_PROCESSED = Counter("stepwise_engine_events_processed", "Events the engine handled.")
