from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = "Journeys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.conf import settings

        from journeys.core.steps import use

        # The step types this site runs: the built-ins, plus any a project (or the tests) adds.
        use(settings.STEPWISE_STEP_TYPES)
        from journeys.run.schedules import ensure_schedules
        from onboarding import axes_audit  # noqa: F401 (connects the lock-out receiver)

        post_migrate.connect(ensure_schedules, sender=self)
