"""Settings shared by every environment.

The embedded default needs nothing: SQLite in the project folder and in-process
services. ``DATABASE_URL`` switches the database (PostgreSQL through psycopg 3)
and ``REDIS_URL`` switches to Redis.
"""

import os
import urllib.parse
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# A checkout keeps the project-wide templates and static files at its top; an installed copy
# (``pip install .``) carries them inside the journeymap package (see pyproject.toml).
_PACKAGE_DIR = Path(__file__).resolve().parent.parent
SITE_TEMPLATES_DIR = BASE_DIR / "templates" if (BASE_DIR / "templates").is_dir() else _PACKAGE_DIR / "site_templates"
SITE_STATIC_DIR = BASE_DIR / "static" if (BASE_DIR / "static").is_dir() else _PACKAGE_DIR / "site_static"

# Each environment decides where its key comes from: local and test settings keep a random key in a
# git-ignored file (journeymap/settings/secret.py), production refuses to start without one.
SECRET_KEY = os.environ.get("SECRET_KEY", "")
DEBUG = False
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # allauth's session list
    "django_htmx",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "core",
    "workspaces",
    "accounts",  # above workspaces: profile, email settings, session rules, two-factor a workspace requires
    "maps",
    "stakeholders",
    "compliance",
    "diagnostics",  # above maps: designed vs observed, stage metrics, ranked fixes, charts
    "interchange",  # above the healthcare layer: map formats in and out (json, ojf, csv)
    "reports",  # above interchange: export jobs in Celery workers, the PDF report, diagrams
    "live",  # above reports: live updates (SSE over a Redis or in-process bus) and presence
    "workshop",  # above live: the projector view, dot votes, the timer and share links
    "comments",  # above live: threads on cards and stages, @mentions of members
    "portfolio",  # above comments: personas, linked journeys, duplicate and templates, search, the portfolio
    "notifications",  # above comments and compliance: mention emails, the weekly digest, unsubscribe
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
    "accounts.middleware.PrivatePagesMiddleware",
    "accounts.middleware.IdleSessionTimeoutMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "accounts.middleware.RequiredTwoFactorMiddleware",
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
        "DIRS": [SITE_TEMPLATES_DIR],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.csp",
                "accounts.context_processors.first_account",
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

# Accounts: django-allauth (sign-in, email, password reset, TOTP, sessions, OpenID Connect).
AUTHENTICATION_BACKENDS = ["allauth.account.auth_backends.AuthenticationBackend"]
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "accounts.adapter.SocialAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = False  # "Dana" and "dana" are one username
ACCOUNT_USERNAME_VALIDATORS = "workspaces.validators.USERNAME_VALIDATORS"
ACCOUNT_SESSION_REMEMBER = False  # a session ends with the browser (and after the idle timeout)
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Journeymap] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("ACCOUNT_DEFAULT_HTTP_PROTOCOL", "http")
# Anyone may sign up only while the install has no account (the first owner) or with an invitation.
ACCOUNT_OPEN_SIGNUP = os.environ.get("ACCOUNT_OPEN_SIGNUP", "0") == "1"
# Failed sign-ins: per client address and per account (the name typed), counted in Django's cache
# (local memory per process, or Redis shared by all when REDIS_URL is set). The lockout ends by itself.
LOGIN_FAILED_PER_ADDRESS = os.environ.get("LOGIN_FAILED_PER_ADDRESS", "20/15m")
LOGIN_FAILED_PER_ACCOUNT = os.environ.get("LOGIN_FAILED_PER_ACCOUNT", "5/15m")
ACCOUNT_RATE_LIMITS = {
    "login_failed": f"{LOGIN_FAILED_PER_ADDRESS}/ip,{LOGIN_FAILED_PER_ACCOUNT}/key",
    "login": "60/m/ip",
}
ALLAUTH_TRUSTED_PROXY_COUNT = int(os.environ.get("ALLAUTH_TRUSTED_PROXY_COUNT", "0"))
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = os.environ.get("MFA_TOTP_ISSUER", "Journeymap")
USERSESSIONS_TRACK_ACTIVITY = False  # sessions are recorded at sign-in, not written on every request
SOCIALACCOUNT_EMAIL_AUTHENTICATION = True  # an SSO sign-in with a verified email finds its account
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_ONLY = False
SOCIALACCOUNT_STORE_TOKENS = False
def oidc_origin(issuer: str) -> str:
    parts = urllib.parse.urlsplit(issuer)
    return f"{parts.scheme}://{parts.netloc}"


# Single sign-on with OpenID Connect: set the issuer, client id and secret to show "Sign in with ...".
OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "")
OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "")
OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
OIDC_NAME = os.environ.get("OIDC_NAME", "single sign-on")
SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": [], "OAUTH_PKCE_ENABLED": True}}
if OIDC_ISSUER:
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"].append({
        "provider_id": "sso", "name": OIDC_NAME, "client_id": OIDC_CLIENT_ID, "secret": OIDC_CLIENT_SECRET,
        "settings": {"server_url": OIDC_ISSUER},
    })

# Sessions: signed out after this much inactivity (HIPAA automatic logoff), and never longer than a day.
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(12 * 60 * 60)))
# Request bodies: larger ones are refused (413) before they are read (journeymap/asgi.py); the same
# limit belongs in the proxy in front (client_max_body_size in nginx).
REQUEST_MAX_BODY_BYTES = int(os.environ.get("REQUEST_MAX_BODY_BYTES", str(10 * 1024 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE", str(2_621_440)))

# Invitations expire after this many days.
INVITATION_EXPIRY_DAYS = int(os.environ.get("INVITATION_EXPIRY_DAYS", "7"))

# Email: SMTP when EMAIL_HOST is set, else printed to the console (make run).
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if EMAIL_HOST
                               else "django.core.mail.backends.console.EmailBackend")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "1" if EMAIL_HOST else "0") == "1"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "20"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Journeymap <journeymap@localhost>")
# Links in emails: the address people reach the app at.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [SITE_STATIC_DIR]
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
if OIDC_ISSUER:
    # "Sign in with ..." posts to /accounts/oidc/ and is redirected to the provider: Chromium applies
    # form-action to that redirect, so the provider's origin must be allowed.
    SECURE_CSP["form-action"].append(oidc_origin(OIDC_ISSUER))

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
# Deleted maps, stages, cards... stay restorable this long; `manage.py purge_deleted` then removes them.
DELETION_RETENTION_DAYS = int(os.environ.get("DELETION_RETENTION_DAYS", "30"))
EXPORT_MAX_ATTEMPTS = int(os.environ.get("EXPORT_MAX_ATTEMPTS", "4"))
EXPORT_RETRY_BACKOFF = int(os.environ.get("EXPORT_RETRY_BACKOFF", "2"))  # seconds, doubled per retry
EXPORT_SOFT_TIME_LIMIT = int(os.environ.get("EXPORT_SOFT_TIME_LIMIT", "240"))
EXPORT_TIME_LIMIT = int(os.environ.get("EXPORT_TIME_LIMIT", "300"))
# A job still "running" this long after it started has lost its worker and is queued again.
EXPORT_STUCK_AFTER = int(os.environ.get("EXPORT_STUCK_AFTER", str(EXPORT_TIME_LIMIT + 60)))
# Redis hands an unacknowledged message (its worker died) to another worker after this long.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": EXPORT_STUCK_AFTER}
# An event-log import queued or running with no sign of life this long has lost its worker: it is queued
# again, and after this many attempts failed (its file deleted). A 10-million-event log takes under a minute.
EVENT_IMPORT_STUCK_AFTER = int(os.environ.get("EVENT_IMPORT_STUCK_AFTER", str(15 * 60)))
EVENT_IMPORT_MAX_ATTEMPTS = int(os.environ.get("EVENT_IMPORT_MAX_ATTEMPTS", "3"))
CELERY_BEAT_SCHEDULE = {
    "requeue-stuck-exports": {"task": "reports.requeue_stuck_exports", "schedule": 60.0},
    "requeue-stuck-event-imports": {"task": "diagnostics.requeue_stuck_imports", "schedule": 60.0},
    "clean-exports": {"task": "reports.clean_exports", "schedule": 3600.0},
    "send-mention-emails": {"task": "notifications.send_mention_emails",
                            "schedule": float(os.environ.get("MENTION_EMAIL_EVERY_SECONDS", "300"))},
    "send-weekly-digests": {"task": "notifications.send_weekly_digests",
                            "schedule": crontab(day_of_week=os.environ.get("DIGEST_DAY_OF_WEEK", "mon"),
                                                hour=int(os.environ.get("DIGEST_HOUR", "7")), minute=0)},
}
MENTION_EMAIL_EVERY_SECONDS = CELERY_BEAT_SCHEDULE["send-mention-emails"]["schedule"]
DIGEST_DAY_OF_WEEK = os.environ.get("DIGEST_DAY_OF_WEEK", "mon")
DIGEST_HOUR = int(os.environ.get("DIGEST_HOUR", "7"))
# Without Redis (no beat), a thread of the web process sends them (notifications/scheduler.py).
NOTIFICATIONS_IN_PROCESS = os.environ.get("NOTIFICATIONS_IN_PROCESS", "0") == "1"
# Map imports (interchange): a file larger than this, or nested deeper, is refused before it is parsed.
INTERCHANGE_MAX_UPLOAD_BYTES = int(os.environ.get("INTERCHANGE_MAX_UPLOAD_BYTES", str(5 * 1024 * 1024)))
INTERCHANGE_MAX_DEPTH = 20
