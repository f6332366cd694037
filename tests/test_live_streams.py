"""Event streams against real uvicorn processes: share links that end, caps on open streams, and
a change made through one process applied by a board of another from the event alone (Redis)."""

import datetime
import json
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from maps.models import Journey, LaneKind
from tests import factories
from tests.browser import mark_loaded, open_signed_in, still_same_page
from tests.servers import SseClient, http_request, uvicorn_process
from tests.test_live_bus import REDIS_URL_FOR_TESTS
from tests.test_live_processes import _signed_in_cookies
from workshop import selectors as workshop_selectors
from workshop import services as workshop_services
from workspaces.models import Role

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_env() -> dict[str, str]:
    return {"REDIS_URL": REDIS_URL_FOR_TESTS, "LIVE_CHANNEL_PREFIX": f"test-{uuid.uuid4().hex}:"}


def _guest_stream(base_url: str, link) -> SseClient:
    """A guest's stream, read up to its catch-up event (so it is subscribed)."""
    token = workshop_selectors.share_link_token(link=link)
    stream = SseClient(base_url, reverse("workshop:share_events", args=[token]) + "?since=0", cookies={})
    assert stream.status == 200
    first = stream.next_event()
    assert first["event"] == "changed" and json.loads(first["data"]) == {"revision": int(first["id"]), "reload": True}
    return stream


def _warm(*base_urls: str) -> None:
    """A fresh process loads its URLs (and their heavy imports) on its first request: not on the clock."""
    for base_url in base_urls:
        http_request(base_url, "GET", "/accounts/login/", cookies={})


def _events_until_the_end(stream: SseClient) -> list[dict]:
    events = []
    try:
        while True:
            events.append(stream.next_event())
    except ConnectionError:
        return events


def test_a_revoked_share_links_open_stream_closes_within_a_second_and_sends_nothing_more(owner, journey):
    link = workshop_services.share_link_create(actor=owner, journey=journey)
    cookies = _signed_in_cookies(owner, journey)
    env = _redis_env()
    with uvicorn_process(env=env) as process_a, uvicorn_process(env=env) as process_b:
        _warm(process_a, process_b)
        stream = _guest_stream(process_b, link)
        try:
            status, _ = http_request(process_a, "POST", reverse("workshop:share_link_revoke", args=[journey.pk, link.pk]),
                                     cookies=cookies, headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"})
            revoked = time.perf_counter()
            assert status == 200
            events = _events_until_the_end(stream)
            assert time.perf_counter() - revoked < 1.0
            assert events == []  # not even the revision the revocation made
        finally:
            stream.close()


def test_a_share_links_stream_ends_when_the_link_expires(owner, journey):
    link = workshop_services.share_link_create(actor=owner, journey=journey)
    with uvicorn_process() as base_url:
        _warm(base_url)
        expires = timezone.now() + datetime.timedelta(seconds=3)
        type(link).objects.filter(pk=link.pk).update(expires_at=expires)
        stream = _guest_stream(base_url, link)
        try:
            _events_until_the_end(stream)
            assert (timezone.now() - expires).total_seconds() < 1.0
        finally:
            stream.close()


def test_streams_past_the_caps_are_refused_while_open_ones_keep_going(owner, journey):
    editor = factories.add_member(journey.workspace, role=Role.EDITOR)
    viewer = factories.add_member(journey.workspace, role=Role.VIEWER)
    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    cookies = {user: _signed_in_cookies(user, journey) for user in (owner, editor, viewer)}
    path = f"/maps/{journey.pk}/events/?since={Journey.objects.get(pk=journey.pk).revision}"
    env = {"LIVE_STREAMS_PER_PERSON": "2", "LIVE_STREAMS_PER_PROCESS": "3"}
    with uvicorn_process(env=env) as base_url:
        open_streams = [SseClient(base_url, path, cookies=cookies[owner]) for _ in range(2)]
        try:
            assert [s.status for s in open_streams] == [200, 200]
            third = SseClient(base_url, path, cookies=cookies[owner])
            assert third.status == 429 and "Too many live tabs" in third.response.read().decode()
            third.close()
            open_streams.append(SseClient(base_url, path, cookies=cookies[editor]))
            assert open_streams[-1].status == 200
            full = SseClient(base_url, path, cookies=cookies[viewer])
            assert full.status == 503 and full.response.getheader("Retry-After")
            full.close()
            for stream in open_streams:
                stream.next_event_named("presence")

            status, _ = http_request(base_url, "POST", f"/maps/{journey.pk}/cards/{card.pk}/edit/",
                                     cookies=cookies[owner], data={"version": card.version, "title": "Books", "body": ""},
                                     headers={"X-CSRFToken": cookies[owner]["csrftoken"], "HX-Request": "true"})
            assert status == 200
            for stream in open_streams:  # the open ones carried on
                assert "Books" in stream.next_event_named("changed")["data"]

            open_streams.pop(0).close()  # a closed stream frees its place
            time.sleep(0.5)
            again = SseClient(base_url, path, cookies=cookies[viewer])
            assert again.status == 200
            open_streams.append(again)
        finally:
            for stream in open_streams:
                stream.close()


def test_a_board_on_process_b_applies_a_change_made_on_process_a_from_the_event_alone(browser, owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    cookies = _signed_in_cookies(owner, journey)
    env = _redis_env()
    with uvicorn_process(env=env) as process_a, uvicorn_process(env=env) as process_b:
        context = browser.new_context(viewport={"width": 1600, "height": 1000}, base_url=process_b)
        try:
            page = open_signed_in(context, owner)
            page.goto(f"/maps/{journey.pk}/")
            page.wait_for_function("() => document.querySelector('[sse-connect]')['htmx-internal-data']"
                                   "?.sseEventSource?.readyState === 1")
            expect(page.locator("#presence ul.avatars")).to_be_attached()
            mark_loaded(page)
            reads = []
            page.on("request", lambda r: reads.append(r.url))
            status, body = http_request(
                process_a, "POST", f"/maps/{journey.pk}/cards/{card.pk}/edit/", cookies=cookies,
                data={"version": card.version, "title": "Books a video visit", "body": ""},
                headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"},
            )
            assert status == 200, body[:300]
            expect(page.locator(f"#card-{card.pk} .card-title")).to_have_text("Books a video visit")
            assert [url for url in reads if url.endswith(f"/maps/{journey.pk}/")] == []  # no board read
            assert still_same_page(page) and page.errors == []
        finally:
            context.close()


def test_pages_with_secrets_and_posts_are_not_compressed(owner_client, owner, journey, htmx):
    board = owner_client.get(f"/maps/{journey.pk}/", HTTP_ACCEPT_ENCODING="gzip")
    assert board["Content-Encoding"] == "gzip"  # a large board travels compressed
    workshop_services.share_link_create(actor=owner, journey=journey)
    links = owner_client.get(reverse("workshop:share_links", args=[journey.pk]), HTTP_ACCEPT_ENCODING="gzip")
    assert links.status_code == 200 and not links.has_header("Content-Encoding")
    members = owner_client.get(reverse("workspaces:members", args=[journey.workspace.slug]),
                               HTTP_ACCEPT_ENCODING="gzip")
    assert members.status_code == 200 and not members.has_header("Content-Encoding")
    card = factories.make_card(journey, owner, title="Intake form")
    saved = owner_client.post(f"/maps/{journey.pk}/cards/{card.pk}/edit/", {"version": card.version, "title": "x" * 900},
                              HTTP_ACCEPT_ENCODING="gzip", **htmx)
    assert not saved.has_header("Content-Encoding")
