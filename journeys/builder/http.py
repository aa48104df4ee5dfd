"""What every builder view shares: the admin's login and look, permission checks that
answer in plain words, and small htmx replies (a toast, a redirect)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from functools import wraps
from typing import Any

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect, reswap, retarget

View = Callable[..., HttpResponse]

EDIT = "journeys.change_journey"
CREATE = "journeys.add_journey"
PUBLISH = "journeys.publish_journey"
VIEW = "journeys.view_journey"
REPORTS = "journeys.view_reports"

_REFUSALS = {
    VIEW: "You cannot see journeys.",
    EDIT: "You can look at journeys but not change them.",
    CREATE: "You can look at journeys but not create them.",
    PUBLISH: "You can edit journeys but not publish, pause, resume or archive them.",
}
ASK = "Ask an administrator to add you to the “Journey editors” group."


def staff_view(permission: str, *, methods: Sequence[str] = ("GET",)) -> Callable[[View], View]:
    """Behind the admin's login, for one permission; refusals are a page (or a toast)."""

    def decorate(view: View) -> View:
        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.user.has_perm(permission):
                return refuse(request, _REFUSALS.get(permission, "You may not do this."))
            return view(request, *args, **kwargs)

        return admin.site.admin_view(require_http_methods(list(methods))(inner))

    return decorate


def can(request: HttpRequest) -> dict[str, bool]:
    """What the signed-in person may do, for templates (`can.edit`, `can.publish`)."""
    user = request.user
    return {
        "edit": user.has_perm(EDIT),
        "create": user.has_perm(CREATE),
        "publish": user.has_perm(PUBLISH),
        "reports": user.has_perm(REPORTS),
    }


def page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> TemplateResponse:
    """A full page in the admin's frame (header, login, dark mode, "View site")."""
    # The builder needs the width: the admin's model sidebar stays on the admin's pages.
    full = {
        **admin.site.each_context(request),
        "is_nav_sidebar_enabled": False,
        "can": can(request),
        **context,
    }
    return TemplateResponse(request, template, full, status=status)


def fragment(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> TemplateResponse:
    """A partial (`page.html#name`) for htmx, with the same `can` as the page."""
    return TemplateResponse(request, template, {"can": can(request), **context}, status=status)


def toast(
    request: HttpRequest, message: str, *, status: int = 200, error: bool = True
) -> HttpResponse:
    """A short message in the page's live region, whatever the request meant to swap."""
    context = {"message": message, "error": error}
    response = fragment(request, "journeys/builder/base.html#toast", context, status=status)
    return reswap(retarget(response, "#builder-toast"), "innerHTML")


def refuse(request: HttpRequest, message: str) -> HttpResponse:
    if request.htmx:  # type: ignore[attr-defined]  # django-htmx's middleware sets it
        return toast(request, f"{message} {ASK}", status=403)
    return page(
        request,
        "journeys/builder/refused.html",
        {"title": "Not allowed", "message": message, "ask": ASK},
        status=403,
    )


def go(request: HttpRequest, url: str) -> HttpResponse:
    """Send the browser to `url` (a full navigation, also from an htmx request)."""
    if request.htmx:  # type: ignore[attr-defined]
        return HttpResponseClientRedirect(url)
    response = HttpResponse(status=303)
    response["Location"] = url
    return response
