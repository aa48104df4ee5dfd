"""Body limits, gzip and CORS for the event API, before django-ninja parses anything."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from journeys.api.errors import failure
from journeys.api.limits import auth_failure_record, auth_failures_exceeded, client_address
from journeys.api.storable import body_problem
from journeys.people.identity import USER_HASH_HEADER
from journeys.people.sources import CachedSource, browser_origins

API_PREFIX = "/v1/"
_CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        f"Authorization, Content-Type, Content-Encoding, {USER_HASH_HEADER}"
    ),
    "Access-Control-Max-Age": "600",
}


def _is_batch(path: str) -> bool:
    return path.rstrip("/").endswith("/batch")


def _limit_for(path: str) -> int:
    if path.rstrip("/").endswith("/batch") or path.rstrip("/").endswith("/import"):
        return settings.EVENT_API_MAX_BODY_BYTES
    return settings.EVENT_API_MAX_MESSAGE_BYTES


def gunzip(data: bytes, *, limit: int) -> bytes:
    """Decompress at most `limit` bytes; ValueError for bad gzip, OverflowError past it."""
    inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    try:
        out = inflater.decompress(data, limit + 1)
    except zlib.error:
        raise ValueError("The body is not valid gzip.") from None
    if len(out) > limit:
        raise OverflowError
    if not inflater.eof:
        raise ValueError("The body is not valid gzip (truncated).")
    if inflater.unused_data:
        raise ValueError("The body has data after the end of its gzip stream.")
    return out


class EventApiBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return self._cors(request, HttpResponse(status=204))
        if _has_nul(request):
            return self._cors(request, failure(400, "The URL contains a NUL character."))
        address = client_address(request)
        wait = auth_failures_exceeded(address)
        if wait is not None:
            return self._cors(request, too_many(wait, "Too many failed authentications."))
        if request.method == "POST":
            refusal = self._prepare_body(request)
            if refusal is not None:
                return self._cors(request, refusal)
        response = self.get_response(request)
        if response.status_code == 401:
            auth_failure_record(address)
        return self._cors(request, _in_refusal_shape(response))

    def _prepare_body(self, request: HttpRequest) -> HttpResponse | None:
        limit = _limit_for(request.path)
        too_big = failure(413, f"The body is larger than {limit // 1024} KB.")
        try:
            if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
                return too_big
            body = request.body
        except ValueError:
            return failure(400, "Content-Length is not a number.")
        except RequestDataTooBig:
            return too_big
        encoding = request.headers.get("Content-Encoding", "identity").strip().lower()
        if encoding == "gzip":
            try:
                request._body = gunzip(body, limit=limit)
            except OverflowError:
                return too_big
            except ValueError as exc:
                return failure(400, str(exc))
        elif encoding not in ("identity", ""):
            return failure(415, f"Content-Encoding {encoding} is not supported; use gzip.")
        elif len(body) > limit:
            return too_big
        if not _is_batch(request.path):  # a batch rejects its bad items one by one
            problem = body_problem(request.body)
            if problem is not None:
                return failure(400, f"{problem[0]} {problem[1]}", problem[0])
        return None

    def _cors(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        """Let a page read the answer only when its origin is one a source allows: the
        request's own source once authenticated, any active source's for a preflight."""
        response["Vary"] = "Origin"
        origin = request.headers.get("Origin")
        if origin and _origin_allowed(origin, getattr(request, "auth", None)):
            response["Access-Control-Allow-Origin"] = origin
            for name, value in _CORS_HEADERS.items():
                response[name] = value
        return response


def too_many(retry_after: int, message: str) -> HttpResponse:
    response = failure(429, f"{message} Retry in {retry_after} s.")
    response["Retry-After"] = str(retry_after)
    return response


def _has_nul(request: HttpRequest) -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


_PLAIN_REFUSALS = {
    404: "No such endpoint: see /v1/docs for the API.",
    405: "This endpoint does not accept that method: see /v1/docs.",
}


def _in_refusal_shape(response: HttpResponse) -> HttpResponse:
    """Django's HTML 404 and ninja's {"detail": …} 405 become the API's refusal JSON."""
    message = _PLAIN_REFUSALS.get(response.status_code)
    if message is None or b'"success"' in getattr(response, "content", b'"success"'):
        return response
    refusal = failure(response.status_code, message)
    if response.has_header("Allow"):
        refusal["Allow"] = response["Allow"]
    return refusal


def _origin_allowed(origin: str, source: object) -> bool:
    allowed = source.allowed_origins if isinstance(source, CachedSource) else browser_origins()
    return origin in allowed or "*" in allowed
