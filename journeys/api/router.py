"""The Segment-compatible event API (mounted at /v1/)."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(
    title="Stepwise event API",
    version="1",
    description="Segment-compatible tracking API.",
    urls_namespace="event_api",
)
