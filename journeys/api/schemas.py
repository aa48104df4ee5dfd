"""The wire contract: Segment's HTTP tracking API payloads, validated with pydantic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints

from journeys.people.ingest import Incoming, PayloadError


def _identity(value: Any) -> Any:
    """Segment ids are strings; numbers are accepted and empty strings mean absent."""
    if isinstance(value, bool):
        raise ValueError("must be a string")
    if isinstance(value, int):
        return str(value)
    if value == "":
        return None
    return value


# Times the engine can add journey delays to without leaving datetime's range.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
OUT_OF_RANGE = "is out of range (years 1970 to 2199)"


def _timestamp(value: Any) -> Any:
    """ISO 8601 strings only: a bare number is ambiguous (seconds? milliseconds?)."""
    if value is None or isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        raise ValueError("must be an ISO 8601 date-time string")
    try:
        parsed = datetime.fromisoformat(value.strip())
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC)
    except ValueError:
        raise ValueError(f"is not an ISO 8601 date-time: {value[:40]!r}") from None
    except OverflowError:
        raise ValueError(OUT_OF_RANGE) from None
    if not EARLIEST <= parsed < LATEST:
        raise ValueError(OUT_OF_RANGE)
    return parsed


_IdString = Annotated[str, StringConstraints(max_length=255, strip_whitespace=True)]
Identity = Annotated[_IdString | None, BeforeValidator(_identity)]
Timestamp = Annotated[datetime | None, BeforeValidator(_timestamp)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]
JsonObject = dict[str, Any]


class _Message(BaseModel):
    """Plain pydantic: ninja.Schema's ORM-friendly wrapper costs 3-4x per message."""

    model_config = ConfigDict(extra="ignore")

    userId: Identity = None
    anonymousId: Identity = None
    messageId: Annotated[str, StringConstraints(max_length=255)] | None = None
    timestamp: Timestamp = None
    sentAt: Timestamp = None
    context: JsonObject = Field(default_factory=dict)
    integrations: JsonObject = Field(default_factory=dict)

    def _base(self, type_: str, name: str, received_at: datetime, sent_at: datetime | None):
        if not self.userId and not self.anonymousId:
            raise PayloadError("userId", "or anonymousId is required")
        return {
            "type": type_,
            "name": name,
            "user_id": self.userId,
            "anonymous_id": self.anonymousId,
            "message_id": self.messageId or f"sw-{uuid.uuid4()}",
            "timestamp": corrected_timestamp(
                self.timestamp, self.sentAt or sent_at, received_at=received_at
            ),
            "context": self.context,
        }


def corrected_timestamp(
    timestamp: datetime | None, sent_at: datetime | None, *, received_at: datetime
) -> datetime:
    """Segment's clock-skew correction: shift the client's timestamp by (received - sent)."""
    if timestamp is None:
        return received_at
    if sent_at is None:
        return timestamp
    try:
        corrected = timestamp + (received_at - sent_at)
    except OverflowError:
        corrected = None
    if corrected is None or not EARLIEST <= corrected < LATEST:
        raise PayloadError("sentAt", "puts the timestamp out of range (years 1970 to 2199)")
    return corrected


class TrackIn(_Message):
    type: Literal["track"] = "track"
    event: Name
    properties: JsonObject = Field(default_factory=dict)

    def to_incoming(self, received_at: datetime, sent_at: datetime | None = None) -> Incoming:
        base = self._base("track", self.event, received_at, sent_at)
        return Incoming(**base, properties=self.properties)


class IdentifyIn(_Message):
    type: Literal["identify"] = "identify"
    traits: JsonObject = Field(default_factory=dict)

    def to_incoming(self, received_at: datetime, sent_at: datetime | None = None) -> Incoming:
        base = self._base("identify", "Identify", received_at, sent_at)
        # RudderStack's SDK sends identify traits in context.traits.
        context_traits = self.context.get("traits")
        traits = (
            {**context_traits, **self.traits} if isinstance(context_traits, dict) else self.traits
        )
        return Incoming(**base, traits=traits)


class PageIn(_Message):
    type: Literal["page"] = "page"
    name: Annotated[str, StringConstraints(max_length=200)] | None = None
    category: Annotated[str, StringConstraints(max_length=200)] | None = None
    properties: JsonObject = Field(default_factory=dict)

    def to_incoming(self, received_at: datetime, sent_at: datetime | None = None) -> Incoming:
        default = "Page Viewed" if self.type == "page" else "Screen Viewed"
        base = self._base(self.type, self.name or default, received_at, sent_at)
        properties = dict(self.properties)
        if self.category:
            properties.setdefault("category", self.category)
        return Incoming(**base, properties=properties)


class ScreenIn(PageIn):
    type: Literal["screen"] = "screen"  # type: ignore[assignment]


class GroupIn(_Message):
    type: Literal["group"] = "group"
    groupId: Annotated[
        str, BeforeValidator(_identity), StringConstraints(min_length=1, max_length=255)
    ]
    traits: JsonObject = Field(default_factory=dict)

    def to_incoming(self, received_at: datetime, sent_at: datetime | None = None) -> Incoming:
        base = self._base("group", "Group", received_at, sent_at)
        return Incoming(**base, group_id=self.groupId, traits=self.traits)


class AliasIn(_Message):
    type: Literal["alias"] = "alias"
    userId: Annotated[
        str, BeforeValidator(_identity), StringConstraints(min_length=1, max_length=255)
    ]
    previousId: Annotated[
        str, BeforeValidator(_identity), StringConstraints(min_length=1, max_length=255)
    ]

    def to_incoming(self, received_at: datetime, sent_at: datetime | None = None) -> Incoming:
        base = self._base("alias", "Alias", received_at, sent_at)
        return Incoming(**base, previous_id=self.previousId)


MESSAGE_SCHEMAS: dict[str, type[_Message]] = {
    "track": TrackIn,
    "identify": IdentifyIn,
    "page": PageIn,
    "screen": ScreenIn,
    "group": GroupIn,
    "alias": AliasIn,
}


class BatchIn(BaseModel):
    """Each item is a track/identify/page/screen/group/alias message with its `type`."""

    model_config = ConfigDict(extra="ignore")

    # Any JSON value: an item that is not an object is rejected alone, not the batch.
    batch: list[Any] = Field(max_length=10_000)
    sentAt: Timestamp = None
    context: JsonObject = Field(default_factory=dict)


class Accepted(Schema):
    success: bool = True


class Rejected(Schema):
    index: int
    field: str
    error: str
    code: str | None = Field(None, description="For identity refusals: user_hash_missing …")


class BatchAccepted(Schema):
    success: bool = True
    accepted: int
    rejected: list[Rejected]


class Failure(Schema):
    success: bool = False
    error: str
    field: str | None = Field(None, description="The offending field, for 400 answers.")
    code: str
    message: str = Field(description="The same text as error (what Segment's SDKs read).")


class EventOut(Schema):
    event: str
    type: str
    timestamp: datetime
    properties: JsonObject


class SubscriptionOut(Schema):
    state: str
    reason: str
    changed_at: datetime | None


class EnrollmentOut(Schema):
    journey: str
    version: int
    state: str
    step: str
    entered_at: datetime
    wake_at: datetime | None
    finished_at: datetime | None
    steps: list[str] = Field(description="The steps entered so far, in order.")


class ContactOut(Schema):
    user_id: str
    traits: JsonObject
    subscriptions: dict[str, SubscriptionOut]
    recent_events: list[EventOut]
    enrollments: list[EnrollmentOut]


class Erased(Schema):
    success: bool = True
    erased: dict[str, int] = Field(description="How many rows of each kind were removed.")
