from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Importing registers each channel and connects the Anymail tracking receiver.
        from channels import email, in_app, sms, webhook  # noqa: F401, PLC0415
        from channels.webhooks import anymail  # noqa: F401, PLC0415
