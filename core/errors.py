"""The one application error type.

Services raise these; `core.middleware.ApplicationErrorMiddleware` turns them into
a clear message with the right status code. Services never build HTTP responses.
"""

from collections.abc import Iterable
from typing import Any


class ApplicationError(Exception):
    status_code = 400

    def __init__(self, message: str, *, extra: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra = extra or {}


class NotFound(ApplicationError):
    status_code = 404


class PermissionDenied(ApplicationError):
    status_code = 403


class Conflict(ApplicationError):
    """A save named a version that is no longer current.

    `current` is the row as it is now (None when it was deleted meanwhile), so the
    caller can show theirs next to yours. `theirs_only` names the fields only the other
    person changed: a save over theirs keeps their values there.
    """

    status_code = 409

    def __init__(self, message: str, *, current: Any = None, theirs_only: Iterable[str] = ()) -> None:
        super().__init__(message)
        self.current = current
        self.theirs_only = frozenset(theirs_only)


class NotAuthenticated(ApplicationError):
    """The request did not prove who sent it (a missing, unknown or revoked API token)."""

    status_code = 401


class Unavailable(ApplicationError):
    """Something the app depends on (the database) did not answer; the request changed nothing."""

    status_code = 503
