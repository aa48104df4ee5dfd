"""The admin app with Stepwise's admin site (Django's documented way to replace it)."""

from django.contrib.admin.apps import AdminConfig


class StepwiseAdminConfig(AdminConfig):
    default_site = "onboarding.admin_site.StepwiseAdminSite"
