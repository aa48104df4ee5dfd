from django.apps import AppConfig
from django.db.models.signals import post_migrate


class JourneysConfig(AppConfig):
    name = "journeys"
    verbose_name = "Journeys"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from journeys.run.schedules import ensure_schedules
        from onboarding import axes_audit  # noqa: F401 (connects the lock-out receiver)

        post_migrate.connect(ensure_schedules, sender=self)
        # The ask step answers open questions; replies to the bot (widget, SMS) reach it.
        from journeys.bot import asks  # noqa: F401 - registers the question handler
