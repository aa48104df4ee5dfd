from django.apps import AppConfig


class AcmeConfig(AppConfig):
    name = "onboarding.acme"
    label = "acme"
    verbose_name = "Acme Notes"
