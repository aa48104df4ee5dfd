"""One shape for every refusal of the event API.

`error` says what was wrong; `code` and `message` are what Segment's and RudderStack's
SDKs read from an error answer."""

from __future__ import annotations

import json

from django.http import HttpResponse

from journeys.run.metrics import EVENTS_REFUSED

_CODES = {
    400: "invalid_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    413: "payload_too_large",
    405: "method_not_allowed",
    415: "unsupported_encoding",
    422: "invalid_request",
    429: "rate_limited",
}


def failure(
    status: int, error: str, field: str | None = None, *, code: str | None = None
) -> HttpResponse:
    body: dict[str, object] = {"success": False, "error": error}
    if field:
        body["field"] = field
    body["code"] = code or _CODES.get(status, "error")
    EVENTS_REFUSED.labels(body["code"]).inc()
    body["message"] = error
    return HttpResponse(json.dumps(body), status=status, content_type="application/json")
