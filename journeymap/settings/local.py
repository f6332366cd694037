"""The embedded default for `make run`: debug on, SQLite unless DATABASE_URL says otherwise."""

import os

from .base import *  # noqa: F403
from .secret import local_secret_key

DEBUG = os.environ.get("DEBUG", "1") == "1"

# Static files straight from the source folders; no collectstatic needed.
STATIC_ROOT = None
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True

SECRET_KEY = local_secret_key(BASE_DIR / ".secret_key")  # noqa: F405

# No Redis, no beat: mention emails and the weekly digest go out from a thread of the web process.
NOTIFICATIONS_IN_PROCESS = os.environ.get("NOTIFICATIONS_IN_PROCESS", "1") == "1"
