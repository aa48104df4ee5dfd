"""The Segment-compatible event API (mounted at /v1/), its errors and its OpenAPI document."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, AuthorizationError, HttpError, ValidationError
from ninja.parser import Parser

from journeys.api.auth import WRITE_KEY
from journeys.api.errors import failure
from journeys.api.limits import RateLimited
from journeys.api.parsing import describe, field_of
from journeys.api.views import router as tracking_router
from journeys.people.identity import IdentityRefused
from journeys.people.ingest import NotFound, PayloadError


class ObjectParser(Parser):
    """JSON bodies must be objects."""

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        data = json.loads(request.body)
        if not isinstance(data, dict):
            raise ValueError("the body must be a JSON object")
        return data


api = NinjaAPI(
    title="Stepwise event API",
    version="1",
    description=(
        "Segment-compatible tracking API.\n\n"
        "**Which key goes where.** A *write key* (`sw_…`, one per source) sends events: "
        "HTTP Basic (write key as user name, empty password), `Authorization: Bearer "
        "<write key>`, or `writeKey` in the body. A *browser* source's write key (one with "
        "allowed origins) is public: a call naming a `userId` must also carry that user's "
        "hash (`X-Stepwise-User-Hash` header, `user_hash` query parameter or "
        "`context.userHash`): lowercase hex HMAC-SHA256 of the user id with the source's "
        "identity secret, computed on your server; 401 `user_hash_missing`, 403 "
        "`user_hash_invalid`. Inbox calls always need the hash. A *secret server key* "
        "(`sk_…`, `Authorization: Bearer`) reads, exports and erases contacts; never put "
        "it in a page. Bodies may be gzip-encoded (`Content-Encoding: gzip`). Limits: 500 KB "
        "per request, 32 KB per message. See docs/security.md."
    ),
    urls_namespace="event_api",
    auth=WRITE_KEY,
    parser=ObjectParser(),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
api.add_router("", tracking_router)
api.add_router("", "journeys.api.inbox.router")
api.add_router("", "journeys.api.chat.router")
api.add_router("", "journeys.api.browser.router")


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    first = exc.errors[0] if exc.errors else {}
    field = field_of(first)
    if field == "body" and first.get("type") == "missing":
        return failure(400, "the body must be a JSON object", "body")
    return failure(400, f"{field} {describe(first)}", field)


@api.exception_handler(PayloadError)
def on_payload_error(request: HttpRequest, exc: PayloadError) -> HttpResponse:
    return failure(400, f"{exc.field} {exc.reason}", exc.field)


@api.exception_handler(RateLimited)
def on_rate_limited(request: HttpRequest, exc: RateLimited) -> HttpResponse:
    response = failure(429, str(exc))
    response["Retry-After"] = str(exc.retry_after)
    return response


@api.exception_handler(IdentityRefused)
def on_identity_refused(request: HttpRequest, exc: IdentityRefused) -> HttpResponse:
    return failure(exc.status, exc.message, exc.field, code=exc.code)


@api.exception_handler(NotFound)
def on_not_found(request: HttpRequest, exc: NotFound) -> HttpResponse:
    return failure(404, str(exc))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = failure(
        401, "A valid write key is required (HTTP Basic user name, or Bearer token)."
    )
    response["WWW-Authenticate"] = 'Basic realm="stepwise"'
    return response


@api.exception_handler(AuthorizationError)
def on_forbidden(request: HttpRequest, exc: AuthorizationError) -> HttpResponse:
    return failure(403, str(exc))


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = str(exc)
    if exc.status_code == 400 and message.startswith("Cannot parse request body"):
        message = "The body is not valid JSON (or not a JSON object)."
    return failure(exc.status_code, message)
