"""The Segment-compatible event API (mounted at /v1/)."""

from __future__ import annotations

from ninja import NinjaAPI

from journeys.api.auth import WRITE_KEY

api = NinjaAPI(
    title="Stepwise event API",
    version="1",
    description="Segment-compatible tracking API.",
    urls_namespace="event_api",
    auth=WRITE_KEY,
)
api.add_router("", "channels.api.router")
