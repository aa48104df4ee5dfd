"""Scale-out as docs/deploy.md describes it: two web processes and two worker processes of
each cluster (events, wake-ups, delivery) on one PostgreSQL and one Redis, with several
product servers sending identify, track and batch calls at once. Nothing acknowledged is
lost, nobody is welcomed twice, no message goes out twice."""

from __future__ import annotations

import os
import threading
from collections import Counter

import pytest
from django.db.models import Count

from channels.models import Message
from journeys.models import Enrollment, Event

from .stack import (
    Processes,
    Traffic,
    clusters,
    database_url,
    ensure_schedules,
    needs_postgres,
    needs_redis,
    postmark_env,
    stack_env,
    start_cluster,
    start_web,
    unique_prefix,
    wait_for,
)

REDIS_URL = os.environ.get("STEPWISE_TEST_SCALE_REDIS_URL", "redis://127.0.0.1:6379/12")
CLIENTS = 4
USERS_PER_CLIENT = 50

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.redis,
    pytest.mark.django_db(transaction=True),
    pytest.mark.xdist_group("processes"),
    pytest.mark.timeout(240),
]


def _send_all(traffic: Traffic, send) -> None:  # noqa: ANN001
    threads = [threading.Thread(target=send, args=(c,)) for c in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def test_two_web_and_two_workers_per_cluster_lose_nothing_and_send_nothing_twice(
    processes: Processes, postmark, welcome_live
):
    needs_postgres()
    needs_redis(REDIS_URL)
    prefix = unique_prefix("scale")
    ensure_schedules(prefix)
    env = stack_env(
        redis_url=REDIS_URL,
        db_url=database_url(),
        prefix=prefix,
        Q_WORKERS="1",
        Q_EVENT_WORKERS="1",
        Q_WAKEUP_WORKERS="1",
        **postmark_env(postmark.url),
    )
    webs = [start_web(processes, env) for _ in range(2)]
    for cluster in clusters(prefix):
        for n in range(2):
            start_cluster(processes, env, cluster, n)
    traffic = Traffic(webs, welcome_live)

    def sign_ups(client: int) -> None:  # half one call at a time, half in batches
        users = [f"s{client}-{n}" for n in range(USERS_PER_CLIENT)]
        half = USERS_PER_CLIENT // 2
        for n, user in enumerate(users[:half]):
            traffic.sign_up(user, url=webs[n % 2])
        for start in range(half, USERS_PER_CLIENT, 5):
            traffic.sign_up_batch(users[start : start + 5], url=webs[start % 2])

    _send_all(traffic, sign_ups)
    signed_up = list(traffic.welcomed_expected)
    wait_for(
        lambda: not Event.objects.filter(processed_at__isnull=True).exists(),
        seconds=90,
        what="the sign-ups to be processed",
    )

    def uploads(client: int) -> None:
        for n in range(USERS_PER_CLIENT):
            user = f"s{client}-{n}"
            traffic.track(user, "Uploaded File", {"filename": f"{user}.pdf"}, url=webs[n % 2])

    _send_all(traffic, uploads)
    everyone = CLIENTS * USERS_PER_CLIENT
    wait_for(
        lambda: Enrollment.objects.filter(state="completed").count() == everyone,
        seconds=90,
        what="every contact to upload and be praised",
    )
    expected = Counter(f"{user}@example.com" for user in signed_up)
    welcomes = lambda: Counter(e["To"] for e in postmark.accepted)  # noqa: E731
    wait_for(lambda: welcomes() == expected, seconds=90, what="every welcome email, once")
    wait_for(
        lambda: not Message.objects.filter(status="queued").exists(),
        seconds=60,
        what="every message to be delivered",
    )

    assert traffic.refused() == []
    assert len(traffic.acknowledged) == everyone * 3
    stored = set(Event.objects.values_list("message_id", flat=True))
    assert set(traffic.acknowledged) <= stored
    assert not Event.objects.filter(processed_at__isnull=True).exists()
    assert Enrollment.objects.count() == everyone
    by_channel = Counter(Message.objects.values_list("channel", "status"))
    assert by_channel == {("email", "sent"): everyone, ("in_app", "delivered"): everyone}
    per_visit = Message.objects.values("step_visit_id").annotate(n=Count("id")).filter(n__gt=1)
    assert list(per_visit) == []
    praise = Message.objects.get(channel="in_app", contact__user_id="s2-7")
    assert "s2-7.pdf" in str(praise.context), praise.context
