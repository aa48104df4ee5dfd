"""The builder's face on the staff stack (journeys.admin.staff_views): its permissions
and the plain words that refuse them, what a template may show (`can`), its pages and
fragments, and its toast."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django_htmx.http import reswap, retarget

from journeys.admin import staff_views
from journeys.admin.staff_views import View, allowed, go, is_htmx

# `go` is the stack's; the builder's views take everything from here.
__all__ = [
    "CREATE",
    "EDIT",
    "PUBLISH",
    "REPORTS",
    "VIEW",
    "can",
    "fragment",
    "go",
    "page",
    "staff_view",
    "toast",
]

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
    return staff_views.staff_view(permission, refuse=_refuse, methods=methods)


def can(request: HttpRequest) -> dict[str, bool]:
    """What the signed-in person may do, for templates (`can.edit`, `can.publish`)."""
    user = request.user
    return {
        "edit": allowed(user, EDIT),
        "create": allowed(user, CREATE),
        "publish": allowed(user, PUBLISH),
        "reports": allowed(user, REPORTS),
    }


def page(
    request: HttpRequest, template: str, context: Mapping[str, Any], *, status: int = 200
) -> TemplateResponse:
    """A full builder page in the admin's frame, with what the person may do (`can`)."""
    return staff_views.page(request, template, {"can": can(request), **context}, status=status)


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


def _refuse(request: HttpRequest, permission: str) -> HttpResponse:
    """A 403 in plain words: a toast for an htmx request, else the builder's refused page."""
    message = _REFUSALS.get(permission, "You may not do this.")
    if is_htmx(request):
        return toast(request, f"{message} {ASK}", status=403)
    return page(
        request,
        "journeys/builder/refused.html",
        {"title": "Not allowed", "message": message, "ask": ASK},
        status=403,
    )
