"""The one stack every staff page stands on (the builder, the reports): the admin's login
and frame, the HTTP methods a view answers, one permission check, and htmx-aware replies.

Each area says how it refuses (its page in its own look, or a toast in the builder); the
rule of who may do what is `allowed`, the single place a roles matrix plugs in.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

View = Callable[..., HttpResponseBase]
# How an area answers someone without `permission`: a 403 in its own words and look.
Refuser = Callable[[HttpRequest, str], HttpResponse]


def allowed(user: Any, permission: str) -> bool:
    """Whether this person may do what `permission` names; every staff page asks here."""
    return bool(user.has_perm(permission))


def staff_view(
    *permissions: str, refuse: Refuser, methods: Sequence[str] = ("GET",)
) -> Callable[[View], View]:
    """Behind the admin's login, for `methods` only, for people with every permission
    listed; anyone else gets `refuse(request, the first permission they lack)`."""

    def decorate(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            for permission in permissions:
                if not allowed(request.user, permission):
                    return refuse(request, permission)
            return view(request, *args, **kwargs)

        return admin.site.admin_view(require_http_methods(list(methods))(inner))

    return decorate


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent this request (django-htmx's middleware sets `request.htmx`)."""
    return bool(getattr(request, "htmx", False))


def page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> TemplateResponse:
    """A full page in the admin's frame (header, login, dark mode, "View site")."""
    # Staff pages need the width: the admin's model sidebar stays on the admin's pages.
    full = {**admin.site.each_context(request), "is_nav_sidebar_enabled": False, **context}
    return TemplateResponse(request, template, full, status=status)


def go(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url` (a full navigation, also from an htmx request)."""
    if is_htmx(request):
        return HttpResponseClientRedirect(url)
    response = HttpResponse(status=303)
    response["Location"] = url
    return response
