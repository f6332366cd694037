from core.errors import ApplicationError


class TransientExportError(ApplicationError):
    """A render failed for a reason that may pass (a connection, a timeout): try again later."""
