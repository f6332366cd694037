"""Settings shared by every environment.

The embedded default needs nothing: SQLite in the project folder and in-process
services. ``DATABASE_URL`` switches the database (PostgreSQL through psycopg 3)
and ``REDIS_URL`` switches to Redis.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-local-only-key-do-not-use-in-production")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "core",
    "workspaces",
    "maps",
    "stakeholders",
    "compliance",
    "diagnostics",  # above maps: designed vs observed, stage metrics, ranked fixes, charts
    "interchange",  # above the healthcare layer: map formats in and out (json, ojf, csv)
    "reports",  # above interchange: export jobs in Celery workers, the PDF report, diagrams
    "live",  # above reports: live updates (SSE over a Redis or in-process bus) and presence
    "workshop",  # above live: the projector view, dot votes, the timer and share links
    "comments",  # above live: threads on cards and stages, @mentions of members
    "api",  # above reports: the JSON API under /api/ with bearer tokens
    "journeymap",  # the top of the dependency graph: project-wide commands such as seed_demo
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "core.middleware.CompressionMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.ApplicationErrorMiddleware",
]

ROOT_URLCONF = "journeymap.urls"
ASGI_APPLICATION = "journeymap.asgi.application"
WSGI_APPLICATION = "journeymap.wsgi.application"

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
                "django.template.context_processors.csp",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and os.environ.get("DB_POOL_MAX_SIZE") != "0":
    # Under ASGI every request runs its sync part in a thread of its own, so connections cannot
    # persist (CONN_MAX_AGE stays 0); a pool saves a new connection per request, and a crowd
    # opening live streams at once waits its turn instead of exceeding max_connections.
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": int(os.environ.get("DB_POOL_MAX_SIZE", "20")),
        "timeout": 20,
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the lock when their transaction starts, so two edits of one
    # card serialise instead of one of them failing half-way.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    # The test database is a file too: Django's default in-memory shared-cache database
    # answers concurrent writers with "database table is locked" at once instead of
    # waiting, so the tests of simultaneous edits could not run on it.
    _db_name = str(DATABASES["default"].get("NAME") or "")
    if _db_name and _db_name != ":memory:" and not _db_name.startswith("file:"):
        _db_path = Path(_db_name)
        DATABASES["default"].setdefault("TEST", {}).setdefault("NAME", str(_db_path.with_name(f"test_{_db_path.name}")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
# Holds, among others, each card's rendered HTML (maps.regions): enough entries for several large boards.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                      "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("CACHE_MAX_ENTRIES", "20000"))}}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "maps:list"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Every asset is served from this origin; scripts only with the page's nonce.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"weasyprint.progress": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},  # chatty per PDF
}

# Live updates: Redis channels and presence keys start with this prefix (tests set their own).
LIVE_CHANNEL_PREFIX = os.environ.get("LIVE_CHANNEL_PREFIX", "journeymap:live:")
LIVE_HEARTBEAT_SECONDS = 15  # an SSE comment this often keeps proxies from closing the stream
LIVE_PRESENCE_TTL_SECONDS = 45  # a viewer whose stream stopped refreshing disappears after this
# Open event streams one web process holds: past these a new one is refused (503 / 429), open ones go on.
LIVE_STREAMS_PER_PROCESS = int(os.environ.get("LIVE_STREAMS_PER_PROCESS", "5000"))
LIVE_STREAMS_PER_PERSON = int(os.environ.get("LIVE_STREAMS_PER_PERSON", "20"))

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or "cache+memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240

# Export jobs (reports). Their files live under MEDIA_ROOT/exports/workspace-<id>/, which
# web and worker processes must share; they are never served as public media, only through
# the download view to members of the workspace.
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
EXPORT_KEEP_DAYS = int(os.environ.get("EXPORT_KEEP_DAYS", "7"))
EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "4"))
EXPORT_RETRY_BACKOFF = int(os.environ.get("EXPORT_RETRY_BACKOFF", "2"))  # seconds, doubled per retry
EXPORT_SOFT_TIME_LIMIT = int(os.environ.get("EXPORT_SOFT_TIME_LIMIT", "240"))
EXPORT_TIME_LIMIT = int(os.environ.get("EXPORT_TIME_LIMIT", "300"))
# A job still "running" this long after it started has lost its worker and is queued again.
EXPORT_STUCK_AFTER = int(os.environ.get("EXPORT_STUCK_AFTER", str(EXPORT_TIME_LIMIT + 60)))
# Redis hands an unacknowledged message (its worker died) to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": EXPORT_STUCK_AFTER}
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-exports": {"task": "reports.requeue_stuck_exports", "schedule": 60.0},
    "clean-exports": {"task": "reports.clean_exports", "schedule": 3600.0},
}
# Map imports (interchange): a file larger than this, or nested deeper, is refused before it is parsed.
INTERCHANGE_MAX_UPLOAD_BYTES = int(os.environ.get("INTERCHANGE_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
INTERCHANGE_MAX_DEPTH = 20
