"""One Hypothesis profile for the whole suite: no per-example deadline and no slow-generation
health check (a loaded CI machine trips both by chance), and no example database, so a run
on a clean checkout behaves like every other. Tests may still set max_examples."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

settings.register_profile(
    "stepwise",
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
settings.load_profile("stepwise")
