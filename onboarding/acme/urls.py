from django.conf import settings
from django.conf.urls.static import static
from django.urls import path

from onboarding.acme import views

urlpatterns = [
    path("", views.home, name="acme-home"),
    path("signup/", views.signup, name="acme-signup"),
    path("login/", views.login_view, name="acme-login"),
    path("logout/", views.logout_view, name="acme-logout"),
    path("notes/", views.notes, name="acme-notes"),
    path("notes/new/", views.note_new, name="acme-note-new"),
    path("files/", views.files, name="acme-files"),
    path("invite/", views.invite, name="acme-invite"),
    path("sw.js", views.service_worker, name="acme-service-worker"),
    *static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT),
]
