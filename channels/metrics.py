"""Prometheus metrics of message delivery (served at GET /metrics)."""

from __future__ import annotations

from prometheus_client import Counter

SENDS = Counter(
    "stepwise_messages",
    "Delivery attempts by channel and outcome (sent, suppressed, failed, retrying).",
    ["channel", "outcome"],
)
PROVIDER_ERRORS = Counter(
    "stepwise_provider_errors",
    "Errors a provider (ESP, Twilio, webhook target) answered, by channel and kind.",
    ["channel", "kind"],
)
