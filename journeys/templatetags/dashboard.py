"""`{% stepwise_dashboard %}` on the admin index (templates/admin/index.html)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from journeys.admin.dashboard import dashboard
from journeys.admin.staff_views import allowed

register = template.Library()


@register.inclusion_tag("admin/stepwise_dashboard.html", takes_context=True)
def stepwise_dashboard(context: template.Context) -> dict[str, Any]:
    request = context["request"]
    return {
        "board": dashboard(now=timezone.now()),
        "can_build": allowed(request.user, "journeys.view_journey"),
        "request": request,
    }
