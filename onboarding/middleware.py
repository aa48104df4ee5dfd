"""Pages that show a person's data must never be kept by a browser or a proxy."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


class PrivateByDefaultMiddleware:
    """Every HTML page that does not say otherwise gets `Cache-Control: no-store`.

    Stepwise's HTML is the admin, the builder, the reports and the preference pages: all of
    it shows contacts' data or a staff session. (The admin's own views already send
    no-store; this covers the rest, and any page added later.)"""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Cache-Control" not in response and response.get("Content-Type", "").startswith(
            "text/html"
        ):
            response["Cache-Control"] = "no-store, private"
        return response
