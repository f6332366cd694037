import os

import pytest
from django.test import Client

from workspaces.models import Role

from . import factories

pytest_plugins = ["tests.workers"]  # broker and celery_worker, for every module that runs Celery work


@pytest.fixture
def owner(db):
    return factories.make_user("owner")


@pytest.fixture
def workspace(owner):
    return factories.make_workspace(owner=owner, name="Acme Health")


@pytest.fixture
def editor(workspace):
    return factories.add_member(workspace, factories.make_user("editor"), Role.EDITOR)


@pytest.fixture
def viewer(workspace):
    return factories.add_member(workspace, factories.make_user("viewer"), Role.VIEWER)


@pytest.fixture
def journey(workspace, owner):
    return factories.make_journey(workspace, owner, title="Telehealth journey")


@pytest.fixture
def other_workspace(db):
    """A second organisation whose maps must never be visible to the first."""
    return factories.make_workspace(owner=factories.make_user("stranger"), name="Other Org")


@pytest.fixture
def other_journey(other_workspace):
    owner = other_workspace.memberships.get().user
    return factories.make_journey(other_workspace, owner, title="Their journey")


def _client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def owner_client(owner):
    return _client_for(owner)


@pytest.fixture
def editor_client(editor):
    return _client_for(editor)


@pytest.fixture
def viewer_client(viewer):
    return _client_for(viewer)


@pytest.fixture
def htmx():
    """Headers that make a test-client request look like htmx's."""
    return {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def asgi_server(transactional_db):
    """The app under uvicorn in this process, on the test database; yields its base URL.

    pytest-django's live_server is WSGI, which cannot stream an async iterator: event
    streams (SSE) need this one."""
    import socket
    import threading
    import time

    import uvicorn

    from journeymap.asgi import application

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(application, lifespan="off", log_level="warning",
                                           timeout_graceful_shutdown=1))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.01)
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()
    from .browser import wait_for_server_requests_to_finish

    wait_for_server_requests_to_finish()  # its changes' live renders too, before the database is flushed


@pytest.fixture(scope="module")
def browser():
    """A headless Debian Chromium per test module, driven by Playwright. Not one per session:
    Playwright's sync API keeps an event loop running in this thread until it stops, and the
    tests that follow need the thread free for their own (async_to_sync, asyncio.run)."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS, async_unsafe_allowed

    with async_unsafe_allowed(), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page_for(browser, live_server):
    """Opens a page on the live server signed in as the given user; closes them all afterwards."""
    from .browser import open_signed_in, wait_for_server_requests_to_finish

    contexts = []

    def open_as(user):
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=live_server.url)
        contexts.append(context)
        page = open_signed_in(context, user)
        return page

    yield open_as
    for context in contexts:
        context.close()
    wait_for_server_requests_to_finish()


@pytest.fixture
def smtp_server(tmp_path, settings):
    """A real SMTP server process (aiosmtpd); Django's email backend points at it for the test."""
    from .mailserver import smtp_server_process

    with smtp_server_process(tmp_path) as server:
        for name, value in server.settings.items():
            setattr(settings, name, value)
        yield server


def pytest_collection_modifyitems(items):
    """Within each module the browser tests run last. The module's browser keeps Playwright's event loop
    running in this thread (so Django's async-safety check is off) from its first test to the module's
    end: a test after it that needs no browser would run with the check off too."""
    first_of_module: dict = {}
    for index, item in enumerate(items):
        first_of_module.setdefault(getattr(item, "module", None), index)
    items[:] = sorted(items, key=lambda item: (first_of_module[getattr(item, "module", None)],
                                               "browser" in getattr(item, "fixturenames", ())))


@pytest.fixture(autouse=True)
def async_safety_stays_on(request):
    """Django's async-safety check is off only for the tests that drive a browser."""
    if "browser" not in request.fixturenames:
        assert "DJANGO_ALLOW_ASYNC_UNSAFE" not in os.environ, (
            "Django's async-safety check is off for a test that drives no browser")
    yield
