"""Test settings: the real settings, with tasks run inline and a per-checkout test database."""

from __future__ import annotations

import hashlib
import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")

from onboarding.settings import *  # noqa: E402, F403
from onboarding.settings import BASE_DIR, DATABASES, Q_CLUSTER, STEPWISE_STEP_TYPES  # noqa: E402

# Several checkouts may test against one PostgreSQL at once: give each its own database.
_checkout = hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:8]
_test = DATABASES["default"].setdefault("TEST", {})
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's, waiting out the in-memory database's table locks (tests/sqlite_backend);
    # ":memory:" is the name pytest-django knows as in-memory (no file per xdist worker).
    DATABASES["default"]["ENGINE"] = "tests.sqlite_backend"
    _test["NAME"] = ":memory:"
else:
    _test["NAME"] = f"test_stepwise_{_checkout}"
DATABASES["default"]["CONN_MAX_AGE"] = 0
Q_CLUSTER["sync"] = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EVENT_API_KEY_CACHE_SECONDS = 0
# Every test client is 127.0.0.1 and many tests send bad keys on purpose: the limits are
# off here, and the tests of the limits turn them on.
EVENT_API_RATE_LIMIT = 0
EVENT_API_BROWSER_RATE_LIMIT = 0
EVENT_API_BROWSER_CLIENT_RATE_LIMIT = 0
EVENT_API_AUTH_FAILURES_PER_MINUTE = 0
CHANNELS_STAFF_SETTINGS_SECONDS = 0  # the admin's delivery settings are read every time
# A test-only channel defined in one test module (tests/channels/pigeon.py); its tests
# switch it on with settings.STEPWISE_CHANNELS = STEPWISE_CHANNELS_WITH_PIGEON (on for
# every test it would change every channel list the other tests check).
STEPWISE_CHANNELS_WITH_PIGEON = [*STEPWISE_CHANNELS, "tests.channels.pigeon.PigeonChannel"]  # noqa: F405
# A test-only step type, defined in that one module: it must show up everywhere a built-in
# type does (builder, simulate, reports, contact page, privacy export) with no other file.
STEPWISE_STEP_TYPES = [*STEPWISE_STEP_TYPES, "tests.journeys.runtime.test_new_step_type"]
