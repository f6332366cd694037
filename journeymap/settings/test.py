"""Tests: fast password hashing; the database comes from DATABASE_URL (PostgreSQL in CI)."""

from .base import *  # noqa: F403
from .secret import local_secret_key

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A new dict, not base's changed in place: importing this module must not change another settings module's.
STORAGES = STORAGES | {  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Static files straight from the source folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

SECRET_KEY = local_secret_key(BASE_DIR / ".secret_key")  # noqa: F405

# Emails are kept in django.core.mail.outbox unless a test points the backend at the SMTP server
# process it starts (in this process by settings, in a worker process by EMAIL_HOST).
if not EMAIL_HOST:  # noqa: F405
    EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
