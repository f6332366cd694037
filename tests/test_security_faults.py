"""Faults: the database dropping a connection mid-request, Redis restarting under open event streams.

(A Celery worker killed mid-export is proven in tests/test_reports_runners.py:
`test_a_worker_killed_mid_render_leaves_a_job_that_another_worker_finishes_once`.)
"""

import contextlib
import socket
import subprocess
import time
import uuid

import psycopg
import pytest
import redis
from django.db import connection
from django.urls import reverse

from maps import services
from maps.models import Card, Change, Journey, LaneKind

from .factories import make_card
from .servers import SseClient, http_request, uvicorn_process
from .test_live_processes import _signed_in_cookies
from .test_maps_views import card_post_data
from .workers import wait_for

pytestmark = pytest.mark.django_db(transaction=True)

CATCH_UP_GUARD_SECONDS = 20


def _terminate_own_backend() -> None:
    """Ends this thread's PostgreSQL session from a second connection, as a server restart would."""
    pid = connection.connection.info.backend_pid
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"] or "127.0.0.1", port=db["PORT"] or 5432, user=db["USER"],
                         password=db["PASSWORD"] or None, dbname=db["NAME"], autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.mark.parametrize("hx", [False, True], ids=["page", "htmx"])
def test_a_database_lost_mid_save_answers_503_and_leaves_nothing_half_written(owner_client, journey, owner,
                                                                            monkeypatch, hx):
    assert connection.vendor == "postgresql", "this proves PostgreSQL's rollback: run it on PostgreSQL"
    card = make_card(journey, owner, title="Consent")
    revision_before = Journey.objects.get(pk=journey.pk).revision
    changes_before = Change.objects.filter(journey=journey).count()
    record = services._record

    def record_after_losing_the_database(**kwargs):
        # The card row is already written in this transaction; the connection dies before history is.
        _terminate_own_backend()
        return record(**kwargs)

    monkeypatch.setattr(services, "_record", record_after_losing_the_database)
    owner_client.raise_request_exception = False
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    response = owner_client.post(reverse("maps:card_edit", args=[journey.pk, card.pk]),
                                 card_post_data(journey, card, title="Half-written"), **headers)
    monkeypatch.undo()
    connection.close()  # the test's own connection died with the request's

    assert response.status_code == 503
    assert response["Retry-After"]
    html = response.content.decode()
    assert "The database did not answer" in html and "Nothing was saved" in html
    assert "Traceback" not in html and "OperationalError" not in html
    assert ("<html" in html) is not hx  # a full page, or the message fragment for htmx
    stored = Card.objects.get(pk=card.pk)
    assert (stored.title, stored.version) == ("Consent", 1)
    assert Journey.objects.get(pk=journey.pk).revision == revision_before
    assert Change.objects.filter(journey=journey).count() == changes_before


@contextlib.contextmanager
def private_redis(port: int):
    """A throwaway redis-server of this test alone (never the shared one), stopped on exit."""
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        wait_for(lambda: _answers(client), "the private Redis to start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return client.ping()
    except redis.ConnectionError:
        return False


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _next_change_revision(listener: SseClient) -> int:
    """The revision of the next `changed` event; a stream that only keeps alive fails after a while
    (a guard against hanging, not a measure of speed)."""
    deadline = time.monotonic() + CATCH_UP_GUARD_SECONDS
    event_id = None
    while time.monotonic() < deadline:
        line = listener.response.readline().decode().rstrip("\r\n")
        if not line and listener.response.closed:
            raise AssertionError("The event stream ended.")
        if line.startswith("id: "):
            event_id = int(line.removeprefix("id: "))
        elif line == "event: changed":
            return event_id
    raise AssertionError("The stream never caught up with the change.")


def _edit(base_url, cookies, journey, card, title):
    return http_request(
        base_url, "POST", f"/maps/{journey.pk}/cards/{card.pk}/edit/", cookies=cookies,
        data={"version": Card.objects.get(pk=card.pk).version, "title": title, "body": ""},
        headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"},
    )


def test_redis_restarted_under_an_open_stream_the_board_catches_up_without_errors(owner, journey):
    card = make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    cookies = _signed_in_cookies(owner, journey)
    port = _free_port()
    env = {"REDIS_URL": f"redis://127.0.0.1:{port}/0", "LIVE_CHANNEL_PREFIX": f"test-{uuid.uuid4().hex}:"}
    with private_redis(port) as first_redis, uvicorn_process(env=env) as server:
        revision = Journey.objects.get(pk=journey.pk).revision
        listener = SseClient(server, f"/maps/{journey.pk}/events/?since={revision}", cookies=cookies)
        try:
            assert listener.status == 200
            listener.next_event_named("presence")  # subscribed through the private Redis

            first_redis.terminate()
            first_redis.wait(timeout=10)
            status, body = _edit(server, cookies, journey, card, "Saved while Redis was down")
            assert status == 200, body[:300]  # the edit is saved; only its announcement waits
            with private_redis(port):
                assert _next_change_revision(listener) == revision + 1
                status, body = _edit(server, cookies, journey, card, "Saved after Redis came back")
                assert status == 200, body[:300]
                assert _next_change_revision(listener) == revision + 2
        finally:
            listener.close()
    assert Card.objects.get(pk=card.pk).title == "Saved after Redis came back"
