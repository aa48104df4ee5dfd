"""Data only: the tables of Stepwise's journeys app. Writes go through journeys.services."""

from journeys.models.audit import AuditEntry
from journeys.models.bot import KeywordReply
from journeys.models.catalogue import EventType
from journeys.models.contacts import Contact, ContactAlias, ErasedAddress, Subscription
from journeys.models.drafts import DraftChange
from journeys.models.enrollments import DecisionTrace, Enrollment, StepVisit
from journeys.models.events import Event
from journeys.models.journeys import Journey, JourneyVersion, MessageVariant, Step
from journeys.models.keys import SecretKey
from journeys.models.problems import ContactProblem
from journeys.models.reports import Assignment, BreakdownSnapshot, Conversion, ReportCount
from journeys.models.sources import IdentitySecret, Source
from journeys.models.staff import StaffTestAddress
from journeys.models.workers import WorkerHeartbeat

__all__ = [
    "Assignment",
    "BreakdownSnapshot",
    "Conversion",
    "ReportCount",
    "AuditEntry",
    "Contact",
    "ContactAlias",
    "ContactProblem",
    "DecisionTrace",
    "DraftChange",
    "Enrollment",
    "Event",
    "ErasedAddress",
    "EventType",
    "IdentitySecret",
    "Journey",
    "JourneyVersion",
    "KeywordReply",
    "MessageVariant",
    "SecretKey",
    "Source",
    "StaffTestAddress",
    "Step",
    "StepVisit",
    "Subscription",
    "WorkerHeartbeat",
]
