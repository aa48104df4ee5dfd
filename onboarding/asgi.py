"""ASGI entry point: Django, behind the chat streams' door (how many streams it holds)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onboarding.settings")
django_application = get_asgi_application()

from channels.chat.stream_guard import StreamGuard  # noqa: E402 - needs Django set up

application = StreamGuard(django_application)
