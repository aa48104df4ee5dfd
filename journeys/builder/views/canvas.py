"""The canvas: one journey's draft as cards and lanes, with its side panels."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from journeys.builder.http import VIEW, page, staff_view
from journeys.models import Journey


@staff_view(VIEW)
def canvas(request: HttpRequest, key: str) -> HttpResponse:
    journey = get_object_or_404(Journey, key=key)
    context = {"title": journey.name, "journey": journey}
    return page(request, "journeys/builder/canvas.html", context)
