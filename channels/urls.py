from __future__ import annotations

from django.urls import include, path

from channels.web import unsubscribe
from channels.webhooks import twilio
from channels.webhooks.guard import anymail_urlpatterns

urlpatterns = [
    path("webhooks/anymail/", include((anymail_urlpatterns(), "anymail"))),
    path("webhooks/twilio/status/", twilio.status_callback, name="channels-twilio-status"),
    path("unsubscribe/test/", unsubscribe.test_view, name="channels-unsubscribe-test"),
    path("unsubscribe/<str:token>/", unsubscribe.preferences_view, name="channels-unsubscribe"),
    path("u/<str:token>/", unsubscribe.one_click_view, name="channels-unsubscribe-one-click"),
]
