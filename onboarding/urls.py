from django.contrib import admin
from django.urls import include, path

from journeys.api.router import api
from onboarding.staff_login import StaffLoginForm

admin.site.site_header = "Stepwise"
admin.site.site_title = "Stepwise"
admin.site.index_title = "Onboarding journeys"
admin.site.login_form = StaffLoginForm
admin.site.login_template = "admin/staff_login.html"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v1/", api.urls),
    path("", include("channels.urls")),
]
