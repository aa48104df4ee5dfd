"""Turn request payloads into validated Incoming messages, with errors that name the field."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import pydantic
from django.conf import settings

from journeys.api.schemas import MESSAGE_SCHEMAS, _Message
from journeys.api.storable import unstorable
from journeys.core.traits import TraitError, extract_known_traits
from journeys.people.ingest import Incoming, PayloadError


def field_of(error: Mapping[str, Any]) -> str:
    """`traits` from pydantic's loc ('body', 'payload', 'traits'); dotted for nested."""
    loc = [str(part) for part in error.get("loc", ()) if part not in ("body", "payload")]
    return ".".join(loc) or "body"


def describe(error: Mapping[str, Any]) -> str:
    message = str(error.get("msg", "is invalid"))
    if error.get("type") == "missing":
        return "is required"
    if error.get("type") == "dict_type":
        return "must be a JSON object"
    if error.get("type") == "list_type":
        return "must be a JSON array"
    if error.get("type") == "string_too_short":
        return "must not be empty"
    if error.get("type") == "string_too_long":
        return f"is longer than {error.get('ctx', {}).get('max_length')} characters"
    if error.get("type") == "string_type":
        return "must be a string"
    return message.removeprefix("Value error, ")


def finish(message: _Message, *, received_at: datetime, sent_at: datetime | None) -> Incoming:
    """Validated schema → Incoming, with well-known traits checked."""
    incoming: Incoming = message.to_incoming(received_at, sent_at)  # type: ignore[attr-defined]
    if incoming.type != "identify" or not incoming.traits:
        return incoming
    try:
        known = extract_known_traits(incoming.traits, phone_region=settings.PHONE_DEFAULT_REGION)
    except TraitError as exc:
        raise PayloadError(exc.field, exc.reason) from None
    return Incoming(**{**_fields(incoming), "known": known})


def _fields(incoming: Incoming) -> dict[str, Any]:
    return {name: getattr(incoming, name) for name in Incoming.__slots__}


def parse_batch_item(
    item: Any,
    *,
    received_at: datetime,
    sent_at: datetime | None,
    max_bytes: int | None,
    check_text: bool = True,
) -> Incoming:
    """One item of a batch; raise PayloadError naming the field when it is refused.

    `max_bytes` None skips the size check (the whole body is already under it);
    `check_text` False skips the storable-text walk (the body has no suspect escape)."""
    if not isinstance(item, dict):
        raise PayloadError("body", "each batch item must be a JSON object")
    problem = unstorable(item) if check_text else None
    if problem is not None:
        raise PayloadError(*problem)
    kind = item.get("type")
    schema = MESSAGE_SCHEMAS.get(kind) if isinstance(kind, str) else None
    if schema is None:
        raise PayloadError("type", f"must be one of {', '.join(MESSAGE_SCHEMAS)}")
    if max_bytes is not None and len(json.dumps(item, separators=(",", ":"))) > max_bytes:
        raise PayloadError("body", f"message is larger than {max_bytes // 1024} KB")
    try:
        message = schema.model_validate(item)
    except pydantic.ValidationError as exc:
        first = exc.errors()[0]
        raise PayloadError(field_of(first), describe(first)) from None
    return finish(message, received_at=received_at, sent_at=sent_at)
