"""Stepwise settings: every value comes from the environment, with safe development defaults.

See README.md ("Configuration") for the list of variables.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from onboarding.env import database_url, env_bool, env_int, env_list, env_networks, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("STEPWISE_VAR_DIR", str(BASE_DIR / "var")))

# --- Core -------------------------------------------------------------------------------

DEBUG = env_bool("DEBUG", default=False)
SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"  # noqa: S105

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
PUBLIC_URL = env_str("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [PUBLIC_URL])
# The deployment's own proxies (addresses or CIDRs). Behind them the client is the
# right-most X-Forwarded-For entry that is not one of them (onboarding/client_address.py);
# empty: the client is REMOTE_ADDR. The event API's limits and django-axes use it.
TRUSTED_PROXIES = env_networks("TRUSTED_PROXIES")

INSTALLED_APPS = [
    "onboarding.admin_config.StepwiseAdminConfig",  # django.contrib.admin, audited
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "anymail",
    "ninja",
    "journeys",
    "channels.apps.ChannelsConfig",
    # After journeys: its `qcluster` (with no cluster name, every cluster) wins over
    # django-q2's (the first app with a command of that name wins).
    "django_q",
]

MIDDLEWARE = [
    "journeys.api.middleware.EventApiBodyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "onboarding.middleware.PrivateByDefaultMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "onboarding.urls"
WSGI_APPLICATION = "onboarding.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------

DATABASES = {"default": database_url("DATABASE_URL", f"sqlite:///{VAR_DIR / 'stepwise.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server and the worker read while the other writes. IMMEDIATE makes
    # every transaction take the write lock when it begins, so a transaction that reads and
    # then writes waits (up to `timeout` seconds) for the lock instead of failing at once
    # with "database is locked" when another process wrote in between.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT_SECONDS", 20),
            "transaction_mode": "IMMEDIATE",
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth, i18n, static -----------------------------------------------------------------

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "admin:login"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Staff log-ins (django-axes): 10 failures for one username, or from one address, within
# 15 minutes lock that username / address out for 15 minutes. See docs/security.md.
AXES_FAILURE_LIMIT = env_int("STAFF_LOGIN_FAILURE_LIMIT", 10)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STAFF_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "admin/locked_out.html"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "onboarding.client_address.client_address"
LANGUAGE_CODE = "en-us"
# The languages Stepwise speaks (issue 23): end users' pages follow their contact's locale
# among these; locale/<code>/LC_MESSAGES/django.po is compiled by `make install`.
LANGUAGES = [("en", "English"), ("fr", "Français")]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["onboarding.formats"]  # dates with their zone on admin lists
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"

# --- Security (only when served over HTTPS) ---------------------------------------------

if PUBLIC_URL.startswith("https://"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # On by default for an https PUBLIC_URL, each can be turned off (docs/deploy.md).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    # Preloading binds every subdomain of the domain for good, so it is the operator's call
    # (SECURE_HSTS_PRELOAD=1); left off, the check that recommends it is silenced.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
# Load balancers probe these over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

# Content-Security-Policy on every response (Django's own middleware). No page of
# Stepwise's runs inline script; styles may be inline because the email previews are
# HTML emails, which are styled inline as email clients require. See docs/security.md.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF, CSP.UNSAFE_INLINE],
    "img-src": [CSP.SELF, "data:", "https:"],
    "font-src": [CSP.SELF, "data:"],
    "connect-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# --- Event API --------------------------------------------------------------------------

# Segment's limits: 32 KB per message, 500 KB per request.
EVENT_API_MAX_BODY_BYTES = env_int("EVENT_API_MAX_BODY_BYTES", 500 * 1024)
EVENT_API_MAX_MESSAGE_BYTES = env_int("EVENT_API_MAX_MESSAGE_BYTES", 32 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = EVENT_API_MAX_BODY_BYTES + 1024
# How long a write key's source is cached in each process; revocation takes effect within it.
EVENT_API_KEY_CACHE_SECONDS = env_int("EVENT_API_KEY_CACHE_SECONDS", 10)
# Events per second per source (a burst of the same size); past it, 429. 0 = no limit.
# Server keys and browser (publishable) keys have budgets of their own, and each contact or
# client address its own share of the browser budget (journeys/api/limits.py).
EVENT_API_RATE_LIMIT = env_int("EVENT_API_RATE_LIMIT", 5000)
EVENT_API_BROWSER_RATE_LIMIT = env_int("EVENT_API_BROWSER_RATE_LIMIT", 5000)
EVENT_API_BROWSER_CLIENT_RATE_LIMIT = env_int("EVENT_API_BROWSER_CLIENT_RATE_LIMIT", 100)
# Failed authentications per client address per minute before it is refused (429).
EVENT_API_AUTH_FAILURES_PER_MINUTE = env_int("EVENT_API_AUTH_FAILURES_PER_MINUTE", 30)
# Region assumed for phone traits written without a country code (ISO 3166, e.g. "US").
PHONE_DEFAULT_REGION = env_str("PHONE_DEFAULT_REGION", "")

# --- Broker and worker (django-q2) ------------------------------------------------------

REDIS_URL = env_str("REDIS_URL")
# Clusters so that no kind of work can bury another (docs/deploy.md): event processing,
# timed wake-ups, and message delivery each have their own queue and workers, and so does
# each channel that waits on a provider (its "lane"): a slow ESP delays email only, an SMS
# provider answering 429 delays SMS only. In-app lines need no lane: they are written in
# the transaction that queues them (docs/engine.md, "The chat's fast path"). A channel
# without a lane is delivered by the shared delivery cluster, which also runs the minute
# sweep of due messages and the team's notes.
# Every process of one deployment shares Q_PREFIX (the signing salt and the queue names);
# Q_CLUSTER_NAME, django-q2's own variable, picks the cluster a `qcluster` process runs
# (`manage.py workers` starts them all on one host).
Q_PREFIX = env_str("Q_PREFIX", "stepwise")
Q_DELIVERY_CLUSTER = Q_PREFIX
Q_EVENTS_CLUSTER = f"{Q_PREFIX}-events"
Q_WAKEUPS_CLUSTER = f"{Q_PREFIX}-wakeups"
Q_CHANNEL_LANES = {
    key: f"{Q_PREFIX}-{key}" for key in env_list("Q_CHANNEL_LANES", ["email", "sms", "webhook"])
}
Q_CLUSTERS = (
    Q_EVENTS_CLUSTER,
    Q_WAKEUPS_CLUSTER,
    Q_DELIVERY_CLUSTER,
    *Q_CHANNEL_LANES.values(),
)
# `manage.py workers` (one host) runs every cluster but the events one this much nicer, so
# a wake-up wave or a delivery backlog cannot slow the bot's answers (docs/deploy.md).
Q_BACKGROUND_NICE = env_int("Q_BACKGROUND_NICE", 5)
Q_CLUSTER: dict = {
    "name": Q_PREFIX,
    "workers": env_int("Q_WORKERS", 2),
    "timeout": 120,
    "retry": 180,
    "max_attempts": 5,
    "save_limit": -1,  # keep failures only: saving every success costs 3-4x on busy queues
    "catch_up": False,
    "poll": 0.05,
    "ack_failures": True,
    "label": "Worker",
    "ALT_CLUSTERS": {
        Q_EVENTS_CLUSTER: {"workers": env_int("Q_EVENT_WORKERS", 2)},
        Q_WAKEUPS_CLUSTER: {"workers": env_int("Q_WAKEUP_WORKERS", 1)},
        **{lane: {"workers": env_int("Q_LANE_WORKERS", 2)} for lane in Q_CHANNEL_LANES.values()},
    },
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES["default"] = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
    }

# --- Email (Django 6.1 MAILERS) ---------------------------------------------------------

_EMAIL_SHORTCUTS = {
    "console": "django.core.mail.backends.console.EmailBackend",
    "file": "django.core.mail.backends.filebased.EmailBackend",
    "smtp": "django.core.mail.backends.smtp.EmailBackend",
    "locmem": "django.core.mail.backends.locmem.EmailBackend",
    "dummy": "django.core.mail.backends.dummy.EmailBackend",
}


def _mailer() -> dict:
    """EMAIL_ESP (an Anymail ESP name) wins; then EMAIL_BACKEND; then file or console."""
    esp = env_str("EMAIL_ESP").strip().lower()
    backend = env_str("EMAIL_BACKEND").strip()
    file_path = env_str("EMAIL_FILE_PATH").strip()
    if esp:
        return {"BACKEND": f"anymail.backends.{esp}.EmailBackend"}
    if backend in _EMAIL_SHORTCUTS:
        backend = _EMAIL_SHORTCUTS[backend]
    elif backend and "." not in backend:
        backend = f"anymail.backends.{backend}.EmailBackend"
    if not backend:
        backend = _EMAIL_SHORTCUTS["file" if file_path else "console"]
    options = {"file_path": file_path} if backend == _EMAIL_SHORTCUTS["file"] and file_path else {}
    return {"BACKEND": backend, "OPTIONS": options}


MAILERS = {"default": _mailer()}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Stepwise <onboarding@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_REPLY_TO = env_str("EMAIL_REPLY_TO")

# Anymail: every ANYMAIL_<NAME> variable becomes ANYMAIL["<NAME>"]
# (ANYMAIL_POSTMARK_SERVER_TOKEN, ANYMAIL_WEBHOOK_SECRET, ...).
ANYMAIL: dict[str, object] = {
    key.removeprefix("ANYMAIL_"): value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_") and value
}
if "REQUESTS_TIMEOUT" in ANYMAIL:
    # Seconds, or "connect,read" seconds: requests refuses the text as it comes.
    _timeout = [float(part) for part in str(ANYMAIL["REQUESTS_TIMEOUT"]).split(",")]
    ANYMAIL["REQUESTS_TIMEOUT"] = _timeout[0] if len(_timeout) == 1 else tuple(_timeout)

# --- Twilio -----------------------------------------------------------------------------

TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN")
TWILIO_FROM = env_str("TWILIO_FROM")
TWILIO_MESSAGING_SERVICE_SID = env_str("TWILIO_MESSAGING_SERVICE_SID")
# "console" prints texts instead of sending them while Twilio is not configured (the demo).
SMS_BACKEND = env_str("SMS_BACKEND", "twilio")

# Push notifications (docs/channels.md, "Push notifications"). Web Push: a VAPID key pair
# (base64url, `make demo` writes one to var/) and a mailto: or https: subject. Apps: the
# path of a Firebase service-account JSON. PUSH_SERVICE_HOSTS (a comma list) replaces the
# browser push services a subscription may point at.
VAPID_PUBLIC_KEY = env_str("VAPID_PUBLIC_KEY")
VAPID_PRIVATE_KEY = env_str("VAPID_PRIVATE_KEY")
VAPID_SUBJECT = env_str("VAPID_SUBJECT")
FCM_CREDENTIALS = env_str("FCM_CREDENTIALS")
FCM_API_URL = env_str("FCM_API_URL", "https://fcm.googleapis.com")
PUSH_SERVICE_HOSTS = env_list("PUSH_SERVICE_HOSTS", [])

# --- Journeys -------------------------------------------------------------------------
# Step types, one module each (docs/architecture.md, "How to add a step type"), in any
# order: each says its own place in the builder's palette.
STEPWISE_STEP_TYPES = [
    "journeys.core.steps.message",
    "journeys.core.steps.ask",
    "journeys.core.steps.delay",
    "journeys.core.steps.wait_for_event",
    "journeys.core.steps.branch",
    "journeys.core.steps.split",
    "journeys.core.steps.update_contact",
    "journeys.core.steps.notify",
    "journeys.core.steps.exit",
]

# --- Channels (delivery rules) ----------------------------------------------------------
# Read through channels/conf.py at call time. See docs/channels.md.

# The channels Stepwise knows, in the order the builder lists them: one class per module
# (docs/architecture.md, "How to add a channel"). CHANNELS_ENABLED says which may send.
STEPWISE_CHANNELS = [
    "channels.email.EmailChannel",
    "channels.sms.SmsChannel",
    "channels.in_app.InAppChannel",
    "channels.webhook.WebhookChannel",
    "channels.push.PushChannel",
]
CHANNELS_ENABLED = env_list("CHANNELS_ENABLED", ["email", "sms", "in_app", "webhook", "push"])
CHANNELS_MAX_ATTEMPTS = env_int("CHANNELS_MAX_ATTEMPTS", 5)
CHANNELS_RETRY_BASE_SECONDS = env_int("CHANNELS_RETRY_BASE_SECONDS", 60)
# A delivery task stops starting sends after this long (well inside Q_CLUSTER "timeout").
CHANNELS_BATCH_SECONDS = env_int("CHANNELS_BATCH_SECONDS", 60)
# "HH:MM-HH:MM" in the contact's local time; empty = no quiet hours for that channel.
CHANNELS_QUIET_HOURS = {
    "email": env_str("CHANNELS_EMAIL_QUIET_HOURS", ""),
    "sms": env_str("CHANNELS_SMS_QUIET_HOURS", "21:00-08:00"),
}
# At most N email + SMS messages per contact in any rolling 24 hours, all journeys; 0 = off.
CHANNELS_FREQUENCY_CAP = env_int("CHANNELS_FREQUENCY_CAP", 5)
CHANNELS_FREQUENCY_CAP_CHANNELS = env_list("CHANNELS_FREQUENCY_CAP_CHANNELS", ["email", "sms"])
# Provider webhook events already applied are remembered this long (repeats are ignored).
PROVIDER_EVENT_RETENTION_DAYS = env_int("PROVIDER_EVENT_RETENTION_DAYS", 30)
# How often each process re-reads the admin's delivery settings (they override the above).
CHANNELS_STAFF_SETTINGS_SECONDS = env_int("CHANNELS_STAFF_SETTINGS_SECONDS", 10)
# Notes to the team: at most one message per target and journey this often; what comes
# meanwhile waits for it, as one digest (channels/delivery/team.py).
CHANNELS_TEAM_DIGEST_MINUTES = env_int("CHANNELS_TEAM_DIGEST_MINUTES", 5)
CHANNELS_WEBHOOK_SECRET = env_str("CHANNELS_WEBHOOK_SECRET")
CHANNELS_HTTP_TIMEOUT_SECONDS = env_int("CHANNELS_HTTP_TIMEOUT_SECONDS", 10)
# Webhook and notify URLs may only reach public addresses (channels/ssrf.py); hosts listed
# here (names or IP addresses) are exempt, e.g. an internal chat server.
CHANNELS_OUTBOUND_ALLOWED_HOSTS = env_list("CHANNELS_OUTBOUND_ALLOWED_HOSTS", [])
# Only for proxies and the test suite's fake Twilio; empty = https://*.twilio.com.
TWILIO_API_BASE_URL = env_str("TWILIO_API_BASE_URL")

# --- Logging ----------------------------------------------------------------------------

# LOG_FORMAT=json: one JSON object per line (for log shippers); plain text otherwise.
LOG_FORMAT = env_str("LOG_FORMAT", "plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "onboarding.logs.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django_q": {"level": env_str("Q_LOG_LEVEL", "WARNING")}},
}

# --- Operations (health and metrics, docs/deploy.md) ------------------------------------

# GET /metrics answers loopback clients, or anyone sending "Authorization: Bearer <token>".
METRICS_TOKEN = env_str("METRICS_TOKEN")
# /healthz calls a cluster stale when its minute heartbeat is older than this.
HEALTH_HEARTBEAT_STALE_SECONDS = env_int("HEALTH_HEARTBEAT_STALE_SECONDS", 180)
# /healthz is degraded (503) when the oldest event waiting for the worker is older than this.
HEALTH_EVENT_BACKLOG_SECONDS = env_int("HEALTH_EVENT_BACKLOG_SECONDS", 60)

# --- Engine (journeys runtime) ----------------------------------------------------------

# Raw events and decision traces older than this are purged by `manage.py purge_events`;
# enrollments, step visits and the event catalogue (what reports read) are kept.
EVENT_RETENTION_DAYS = env_int("EVENT_RETENTION_DAYS", 90)
TRACE_RETENTION_DAYS = env_int("TRACE_RETENTION_DAYS", 90)
# Due wake-ups handled per transaction by the sweep.
ENGINE_WAKE_BATCH_SIZE = env_int("ENGINE_WAKE_BATCH_SIZE", 500)
# How far back entry decisions (goal already met, audience "performed") look at events.
ENGINE_HISTORY_DAYS = env_int("ENGINE_HISTORY_DAYS", 90)
# Work that one contact's data makes fail is tried this many times in all, waiting
# ENGINE_RETRY_BASE_SECONDS, then 4x longer each time (30 s, 2 min, 8 min), then parked.
ENGINE_RETRY_ATTEMPTS = env_int("ENGINE_RETRY_ATTEMPTS", 4)
ENGINE_RETRY_BASE_SECONDS = env_int("ENGINE_RETRY_BASE_SECONDS", 30)
# --- End of engine block ------------------------------------------------------------------

# --- In-app chat (widget streams) ---------------------------------------------------------
# See docs/widget.md. Streams re-read the database on every heartbeat, whatever woke them.

CHAT_HEARTBEAT_SECONDS = env_int("CHAT_HEARTBEAT_SECONDS", 15)
# A stream ends after this long; the widget reconnects at once with Last-Event-ID.
CHAT_STREAM_MAX_SECONDS = env_int("CHAT_STREAM_MAX_SECONDS", 300)
CHAT_LONG_POLL_SECONDS = env_int("CHAT_LONG_POLL_SECONDS", 25)
# SQLite only (no LISTEN/NOTIFY, no Redis): how often each web process looks for news.
CHAT_POLL_SECONDS = float(env_str("CHAT_POLL_SECONDS", "0.25"))
# Threads each web process uses for the streams' database reads (one connection each).
CHAT_DB_THREADS = env_int("CHAT_DB_THREADS", 4)
# Open streams (and long polls) per contact, and in all, per stream process: past them 429
# and 503 with Retry-After (channels/chat/stream_guard.py).
CHAT_STREAMS_PER_CONTACT = env_int("CHAT_STREAMS_PER_CONTACT", 5)
CHAT_STREAMS_PER_PROCESS = env_int("CHAT_STREAMS_PER_PROCESS", 2000)
# How long a stream token (got with headers, used once in the stream's URL) lives.
CHAT_STREAM_TOKEN_SECONDS = env_int("CHAT_STREAM_TOKEN_SECONDS", 60)
