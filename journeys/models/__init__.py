"""Data only: the tables of Stepwise's journeys app. Writes go through journeys.services."""

from journeys.models.catalogue import EventType
from journeys.models.contacts import Contact, ContactAlias, Subscription
from journeys.models.events import Event
from journeys.models.sources import Source

__all__ = ["Contact", "ContactAlias", "Event", "EventType", "Source", "Subscription"]
