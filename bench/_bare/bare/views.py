"""Two views: one ORM insert per request, and bulk_create of a posted batch."""

from __future__ import annotations

import json
from datetime import datetime

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone

from bare.models import BareEvent


def _row(item: dict, now: datetime) -> BareEvent:
    if not isinstance(item.get("event"), str) or not item.get("userId"):
        raise ValueError("event and userId are required")
    stamp = item.get("timestamp")
    return BareEvent(
        source_id=1,
        contact_id=hash(item["userId"]) % 1000,
        type="track",
        name=item["event"],
        properties=item.get("properties") or {},
        context=item.get("context") or {},
        message_id=str(item["messageId"]),
        timestamp=datetime.fromisoformat(stamp) if stamp else now,
        received_at=now,
    )


def single(request: HttpRequest) -> HttpResponse:
    try:
        row = _row(json.loads(request.body), timezone.now())
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"success": False, "error": str(exc)}, status=400)
    row.save()
    return JsonResponse({"success": True})


def bulk(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    try:
        rows = [_row(item, now) for item in json.loads(request.body)["batch"]]
    except (ValueError, KeyError, TypeError) as exc:
        return JsonResponse({"success": False, "error": str(exc)}, status=400)
    BareEvent.objects.bulk_create(rows)
    return JsonResponse({"success": True, "accepted": len(rows)})
