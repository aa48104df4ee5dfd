"""bench/engine.py's contrast for the backlog round: every kind of work (events, wake-ups,
deliveries) on one django-q2 cluster, as Stepwise ran before the three clusters."""

from onboarding.settings import *  # noqa: F403
from onboarding.settings import Q_CLUSTER, Q_PREFIX

Q_EVENTS_CLUSTER = Q_WAKEUPS_CLUSTER = Q_DELIVERY_CLUSTER = Q_PREFIX
Q_CHANNEL_LANES: dict[str, str] = {}  # every channel on the one cluster too
Q_CLUSTERS = (Q_PREFIX,)
Q_CLUSTER = {key: value for key, value in Q_CLUSTER.items() if key != "ALT_CLUSTERS"}
