"""What the browser tests share: how Chromium starts, and marks that tell a swap from a reload.

The fixtures (`browser`, `page_for`) live in conftest.py."""

import contextlib
import os
import time

from django.db import connection

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@contextlib.contextmanager
def async_unsafe_allowed():
    """Playwright's sync API runs an event loop in the test's thread while a browser is open; the
    ORM calls of the browser tests happen between browser steps, never concurrently with them.
    So Django's async-safety check is off while a browser is open, and on again afterwards."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def open_signed_in(context, user):
    """A new page of `context` signed in as `user`; console and page errors collect in `page.errors`."""
    from tests import factories

    page = context.new_page()
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto("/accounts/login/")
    page.fill("#id_login", user.username)
    page.fill("#id_password", factories.PASSWORD)
    page.click("button.primary")
    page.wait_for_url("**/maps/")
    return page


def mark_loaded(page) -> None:
    """A marker that a full page load would wipe out: proves a change came by swap."""
    page.evaluate("window.__noReload = true")


def still_same_page(page) -> bool:
    return page.evaluate("window.__noReload === true")


def wait_for_server_requests_to_finish(timeout: float = 10.0) -> None:
    """A closed page may leave the live server answering its last request (a lazy panel, a poll);
    flushing the database under that request deadlocks, so the flush waits for it."""
    if connection.vendor != "postgresql":
        return
    from live.receivers import settled

    settled(timeout)
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                           "AND pid <> pg_backend_pid() AND state <> 'idle'")
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
        # Still busy after the timeout (a request of a page already closed, stuck behind a lock): end those
        # sessions, or the flush that follows deadlocks with them and every later test starts on a dirty database.
        cursor.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND pid <> pg_backend_pid() AND state <> 'idle'")
