from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Channels"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the Anymail tracking receiver (a library signal, rule 8). The channels
        # themselves are registered by channels.registry, which channels.models imports.
        # In-app messages are delivered into the chat, which needs the models loaded.
        from channels import (
            checks,  # noqa: F401, PLC0415
            in_app,  # noqa: PLC0415
        )
        from channels.chat import chat_post_delivered_many  # noqa: PLC0415
        from channels.webhooks import anymail  # noqa: F401, PLC0415

        in_app.chat_store_set(lambda messages: [e.seq for e in chat_post_delivered_many(messages)])
