"""Report pages, mounted inside the admin at /admin/reports/."""

from __future__ import annotations

from django.urls import path

from journeys.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("<slug:key>/", views.journey_page, name="journey"),
    path("<slug:key>/<slug:table>.csv", views.table_csv, name="csv"),
    path("<slug:key>/<slug:table>.xlsx", views.table_xlsx, name="xlsx"),
    path("<slug:key>/steps/<str:step>/", views.dropoff, name="dropoff"),
    path("<slug:key>/steps/<str:step>/contacts.csv", views.dropoff_csv, name="dropoff-csv"),
    path("<slug:key>/steps/<str:step>/act/", views.dropoff_action, name="dropoff-action"),
]
