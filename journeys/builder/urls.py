"""The builder's pages, mounted inside the admin at /admin/builder/ (same login and look)."""

from __future__ import annotations

from django.urls import path

from journeys.builder.views import canvas, journeys

app_name = "builder"

urlpatterns = [
    path("", journeys.journey_list, name="journey-list"),
    path("new/", journeys.journey_new, name="journey-new"),
    path("import/", journeys.journey_import, name="journey-import"),
    path("<slug:key>/export/", journeys.journey_export, name="journey-export"),
    path("<slug:key>/duplicate/", journeys.journey_copy, name="journey-duplicate"),
    path("<slug:key>/archive/", journeys.journey_archive_view, name="journey-archive"),
    path("<slug:key>/", canvas.canvas, name="canvas"),
]
