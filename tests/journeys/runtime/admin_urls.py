"""An admin site like the real one, whose Contact admin carries the journey inlines
(the lead's Contact admin wires CONTACT_JOURNEY_INLINES the same way)."""

from django.contrib import admin
from django.urls import path

from journeys.admin.journeys import CONTACT_JOURNEY_INLINES
from journeys.models import Contact

site = admin.AdminSite(name="admin")
for model, model_admin in admin.site._registry.items():
    if model is not Contact:
        site.register(model, type(model_admin))


@admin.register(Contact, site=site)
class ContactAdmin(admin.ModelAdmin):
    inlines = CONTACT_JOURNEY_INLINES


urlpatterns = [path("admin/", site.urls)]
