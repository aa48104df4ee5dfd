"""Which worker cluster delivers a channel's messages.

Each channel that waits on a provider has a lane of its own (settings.Q_CHANNEL_LANES): a
django-q2 cluster, i.e. its own queue and its own workers. A slow or stalled ESP fills the
email lane only; an SMS provider answering 429 or a webhook receiver that never answers
holds up its own lane only. Local channels (in-app) have no lane: their messages are
delivered where they are queued (channels.local), and any that waited (or could not be
delivered there) go to the shared delivery cluster, as do channels configured without a
lane."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings

from channels.registry import get_channel


def lane_cluster(channel: str) -> str:
    """The cluster whose workers deliver this channel's messages."""
    implementation = get_channel(channel)
    if implementation is None or implementation.local:
        return settings.Q_DELIVERY_CLUSTER
    return settings.Q_CHANNEL_LANES.get(channel, settings.Q_DELIVERY_CLUSTER)


def by_lane(messages: Iterable[tuple[int, str]]) -> dict[str, list[int]]:
    """(message id, channel) pairs grouped by the cluster that delivers them, in order."""
    lanes: dict[str, list[int]] = defaultdict(list)
    for message_id, channel in messages:
        lanes[lane_cluster(channel)].append(message_id)
    return dict(lanes)
