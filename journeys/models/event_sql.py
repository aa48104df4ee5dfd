"""PostgreSQL fast path for the commonest messages: track/page/screen from a known userId.

One statement creates the missing contacts and inserts the events, so a single `track`
costs one round trip, as a bare insert does. Messages it could not place (a contact
created concurrently outside this statement's snapshot) are returned for the ORM path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection

from journeys.people.ingest import Incoming

FAST_TYPES = frozenset({"track", "page", "screen"})

_SQL = """
WITH v AS (
    SELECT * FROM unnest(
        %(user_ids)s::text[], %(types)s::text[], %(names)s::text[], %(properties)s::text[],
        %(contexts)s::text[], %(message_ids)s::text[], %(timestamps)s::timestamptz[]
    ) AS v(user_id, type, name, properties, context, message_id, ts)
),
created AS (
    INSERT INTO journeys_contact (
        user_id, traits, email, phone, first_name, last_name, timezone, locale, groups,
        source_id, first_seen_at, last_seen_at
    )
    SELECT DISTINCT v.user_id, '{}'::jsonb, '', '', '', '', '', '', '{}'::jsonb,
        %(source_id)s, %(now)s, %(now)s
    FROM v
    WHERE NOT EXISTS (SELECT 1 FROM journeys_contact c WHERE c.user_id = v.user_id)
    ON CONFLICT (user_id) DO NOTHING
    RETURNING id, user_id
),
contacts AS (
    SELECT id, user_id FROM created
    UNION ALL
    SELECT c.id, c.user_id FROM journeys_contact c
    WHERE c.user_id IN (SELECT user_id FROM v)
)
INSERT INTO journeys_event (
    source_id, contact_id, type, name, properties, context, message_id, timestamp,
    received_at, processed_at
)
SELECT %(source_id)s, contacts.id, v.type, v.name, v.properties::jsonb, v.context::jsonb,
    v.message_id, v.ts, %(now)s, NULL
FROM v JOIN contacts ON contacts.user_id = v.user_id
ON CONFLICT (source_id, message_id) DO NOTHING
RETURNING message_id
"""

_DUPLICATES_SQL = """
SELECT message_id FROM journeys_event WHERE source_id = %s AND message_id = ANY(%s::text[])
"""


def is_fast(message: Incoming) -> bool:
    return message.type in FAST_TYPES and bool(message.user_id) and not message.anonymous_id


def insert_known_user_events(
    *, source_id: int, messages: Sequence[Incoming], received_at: datetime
) -> tuple[int, list[Incoming]]:
    """Insert in one statement; return (rows inserted, messages still to place)."""
    params: dict[str, Any] = {
        "source_id": source_id,
        "now": received_at,
        "user_ids": [m.user_id for m in messages],
        "types": [m.type for m in messages],
        "names": [m.name for m in messages],
        "properties": [json.dumps(m.properties) for m in messages],
        "contexts": [json.dumps(m.context) for m in messages],
        "message_ids": [m.message_id for m in messages],
        "timestamps": [m.timestamp for m in messages],
    }
    with connection.cursor() as cursor:
        cursor.execute(_SQL, params)
        inserted = {row[0] for row in cursor.fetchall()}
        if len(inserted) == len({m.message_id for m in messages}):
            return len(inserted), []
        missing = [m.message_id for m in messages if m.message_id not in inserted]
        cursor.execute(_DUPLICATES_SQL, [source_id, missing])
        stored = inserted | {row[0] for row in cursor.fetchall()}
    return len(inserted), [m for m in messages if m.message_id not in stored]
