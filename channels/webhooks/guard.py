"""Provider webhooks trust nothing by default.

Anymail's views accept unauthenticated posts when `ANYMAIL["WEBHOOK_SECRET"]` is unset (with
a warning) and answer 500 on a malformed body; Twilio's validator accepts signatures made
with an empty auth token. These wrappers refuse every request until the secret is
configured, and answer 400 for a body that cannot be parsed. `check --deploy` reports a
missing secret (channels/checks.py)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps

from anymail import urls as anymail_urls
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt

from channels import conf

logger = logging.getLogger(__name__)
View = Callable[..., HttpResponse]


def refused(reason: str, status: int = 403) -> HttpResponse:
    return JsonResponse({"success": False, "error": reason}, status=status)


def anymail_guarded(view: View) -> View:
    """Refuse everything without a webhook secret; refuse bodies that are not JSON."""

    @csrf_exempt
    @wraps(view)
    def guarded(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not conf.anymail_webhook_secret():
            logger.warning("webhook.refused.no_secret", extra={"path": request.path})
            return refused("Webhooks are off: ANYMAIL_WEBHOOK_SECRET is not configured.")
        if request.method == "POST" and _is_json(request) and not _parses(request.body):
            return refused("The body is not valid JSON.", status=400)
        return view(request, *args, **kwargs)

    return guarded


def _is_json(request: HttpRequest) -> bool:
    content_type = request.content_type or ""
    return "json" in content_type or not content_type


def _parses(body: bytes) -> bool:
    try:
        parsed = json.loads(body)
    except ValueError:
        return False
    return isinstance(parsed, dict | list)


def anymail_urlpatterns() -> list[URLPattern]:
    """anymail.urls with every view wrapped in anymail_guarded."""
    return [
        URLPattern(p.pattern, anymail_guarded(p.callback), p.default_args, p.name)
        for p in anymail_urls.urlpatterns
        if isinstance(p, URLPattern)
    ]
