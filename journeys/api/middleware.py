"""Body limits, gzip and CORS for the event API, before django-ninja parses anything."""

from __future__ import annotations

import zlib
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse

from journeys.api.errors import failure
from journeys.api.identity import USER_HASH_HEADER
from journeys.services.sources import CachedSource, browser_origins

API_PREFIX = "/v1/"
_CORS_HEADERS = {
    "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
    "Access-Control-Allow-Headers": (
        f"Authorization, Content-Type, Content-Encoding, {USER_HASH_HEADER}"
    ),
    "Access-Control-Max-Age": "600",
}


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
    return out


class EventApiBodyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            return self.get_response(request)
        if request.method == "OPTIONS":
            return self._cors(request, HttpResponse(status=204))
        if request.method == "POST":
            refusal = self._prepare_body(request)
            if refusal is not None:
                return self._cors(request, refusal)
        return self._cors(request, self.get_response(request))

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


def _origin_allowed(origin: str, source: object) -> bool:
    allowed = source.allowed_origins if isinstance(source, CachedSource) else browser_origins()
    return origin in allowed or "*" in allowed
