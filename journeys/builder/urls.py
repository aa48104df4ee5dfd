"""The builder's pages, mounted inside the admin at /admin/builder/ (same login and look)."""

from __future__ import annotations

from django.urls import path

from journeys.builder.views import canvas, journeys, languages, panels, publish

app_name = "builder"

urlpatterns = [
    path("", journeys.journey_list, name="journey-list"),
    path("new/", journeys.journey_new, name="journey-new"),
    path("import/", journeys.journey_import, name="journey-import"),
    path("<slug:key>/export/", journeys.journey_export, name="journey-export"),
    path("<slug:key>/duplicate/", journeys.journey_copy, name="journey-duplicate"),
    path("<slug:key>/archive/", journeys.journey_archive_view, name="journey-archive"),
    path("<slug:key>/", canvas.canvas, name="canvas"),
    path("<slug:key>/outline/", panels.outline, name="outline"),
    path("<slug:key>/trigger/", canvas.trigger_editor, name="trigger"),
    path("<slug:key>/insert/", canvas.step_insert, name="step-insert"),
    path("<slug:key>/history/<str:way>/", canvas.history_step, name="history"),
    path("<slug:key>/steps/<str:step>/", canvas.step_editor, name="step-editor"),
    path("<slug:key>/steps/<str:step>/delete/", canvas.step_delete, name="step-delete"),
    path("<slug:key>/steps/<str:step>/move/", canvas.step_move, name="step-move"),
    path("<slug:key>/steps/<str:step>/duplicate/", canvas.step_duplicate, name="step-duplicate"),
    path("<slug:key>/steps/<str:step>/preview/", panels.preview, name="preview"),
    path("<slug:key>/steps/<str:step>/people/", panels.people, name="people"),
    path("<slug:key>/steps/<str:step>/languages/", languages.languages, name="languages"),
    path(
        "<slug:key>/steps/<str:step>/languages/save/",
        languages.languages_save,
        name="languages-save",
    ),
    path("<slug:key>/steps/<str:step>/test-send/", panels.test_send_view, name="test-send"),
    path("<slug:key>/checks/", panels.checks, name="checks"),
    path("<slug:key>/dry-run/", panels.dry_run, name="dry-run"),
    path("<slug:key>/backtest/", panels.backtest_view, name="backtest"),
    path("<slug:key>/publish/", publish.publish, name="publish"),
    path("<slug:key>/status/<str:change>/", publish.status, name="status"),
    path("<slug:key>/versions/", publish.versions, name="versions"),
    path("<slug:key>/versions/<int:number>/", publish.version, name="version"),
    path("<slug:key>/versions/<int:number>/restore/", publish.restore, name="restore"),
]
