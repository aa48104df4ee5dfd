from django.contrib import admin
from django.urls import include, path, reverse_lazy
from django.views.generic import RedirectView

from channels.chat import streams
from journeys.api.router import api
from journeys.api.text_replies import twilio_inbound
from onboarding import ops
from onboarding.staff_login import StaffLoginForm

admin.site.site_header = "Stepwise"
admin.site.site_title = "Stepwise"
admin.site.index_title = "Onboarding journeys"
admin.site.login_form = StaffLoginForm
admin.site.login_template = "admin/staff_login.html"
# "View site" leads to the journey builder, the product staff came for.
admin.site.site_url = reverse_lazy("builder:journey-list")  # type: ignore[assignment]

urlpatterns = [
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("admin/builder/", include("journeys.builder.urls")),
    path("admin/reports/", include("journeys.reports.urls")),
    path("admin/inbox/", include("journeys.admin.inbox")),
    path("admin/", admin.site.urls),
    # Before the event API: the stream is an async view (served by the ASGI process).
    path("v1/contacts/<str:user_id>/stream", streams.stream, name="chat-stream"),
    path("v1/", api.urls),
    path("", RedirectView.as_view(url=reverse_lazy("builder:journey-list")), name="home"),
    # Texts to our number answer the bot, which channels (below it) cannot call.
    path("webhooks/twilio/inbound/", twilio_inbound, name="channels-twilio-inbound"),
    path("", include("channels.urls")),
]
