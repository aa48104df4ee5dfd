from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the Anymail tracking receiver (a library signal, rule 8). The channels
        # are loaded by channels.registry from STEPWISE_CHANNELS on first use.
        from channels import checks  # noqa: F401, PLC0415
        from channels.webhooks import anymail  # noqa: F401, PLC0415
