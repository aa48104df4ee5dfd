"""Staff pages in the Django admin: every ModelAdmin of both apps, the contact page and the
dashboard. Django's autodiscovery imports this package; importing the modules registers them."""

from journeys.admin import contacts, messages  # noqa: F401
