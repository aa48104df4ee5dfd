from django.contrib import admin
from django.urls import include, path

from channels import streams
from journeys.api.router import api

admin.site.site_header = "Stepwise"
admin.site.site_title = "Stepwise"
admin.site.index_title = "Onboarding journeys"

urlpatterns = [
    path("admin/", admin.site.urls),
    # Before the event API: the stream is an async view (served by the ASGI process).
    path("v1/contacts/<str:user_id>/stream", streams.stream, name="chat-stream"),
    path("v1/", api.urls),
    path("", include("channels.urls")),
]
