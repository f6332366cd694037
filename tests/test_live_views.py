"""The event stream and the editing marker, through Django's request stack (async for the stream)."""

import json
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.test import AsyncClient

from live import bus, presence
from live.streams import changed_messages
from maps.regions import Regions
from maps.models import Journey
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_process_bus(settings):
    settings.REDIS_URL = ""
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"


def _async_client_for(user) -> AsyncClient:
    client = AsyncClient()
    client.force_login(user)
    return client


def _parse(chunk: str) -> dict[str, str]:
    event = {}
    for line in chunk.strip().splitlines():
        name, _, value = line.partition(": ")
        event[name] = event[name] + "\n" + value if name in event else value
    return event


def read_events(client: AsyncClient, url: str, count: int, *, during=None, **headers) -> tuple[int, list[dict]]:
    """The stream's status and its first `count` events (comments and the retry hint left out).
    `during` runs (in the test's thread) once the stream has started."""

    async def scenario():
        response = await client.get(url, headers=headers)
        if not response.streaming:
            return response.status_code, []
        events, chunks = [], aiter(response.streaming_content)
        try:
            while len(events) < count:
                chunk = (await anext(chunks)).decode()
                if chunk.startswith(("retry:", ":")):
                    if during is not None and chunk.startswith("retry:"):
                        await sync_to_async(during)()
                    continue
                events.append(_parse(chunk))
        finally:
            await chunks.aclose()
        return response.status_code, events

    return async_to_sync(scenario)()


def _url(journey) -> str:
    return f"/maps/{journey.pk}/events/"


def test_a_client_behind_gets_a_changed_event_at_once_from_since(owner, journey):
    revision = Journey.objects.get(pk=journey.pk).revision
    status, events = read_events(_async_client_for(owner), f"{_url(journey)}?since={revision - 1}", 1)
    assert status == 200
    assert events[0]["event"] == "changed"
    assert events[0]["id"] == str(revision)
    assert json.loads(events[0]["data"])["revision"] == revision


def test_a_reconnecting_browser_catches_up_from_last_event_id(owner, journey):
    factories.make_card(journey, owner, title="Added while away")
    revision = Journey.objects.get(pk=journey.pk).revision
    status, events = read_events(_async_client_for(owner), _url(journey), 1, **{"Last-Event-ID": str(revision - 1)})
    assert (status, events[0]["event"], events[0]["id"]) == (200, "changed", str(revision))


def test_a_client_up_to_date_gets_presence_first_and_no_catch_up(owner, journey):
    revision = Journey.objects.get(pk=journey.pk).revision
    status, events = read_events(_async_client_for(owner), f"{_url(journey)}?since={revision}", 1)
    assert status == 200
    assert events[0]["event"] == "presence"
    assert '<ul class="avatars">' in events[0]["data"]


def _changed(revision: int, *, actor: str = "Maria", editor: str = "", viewer: str = "") -> dict:
    regions = Regions(revision=revision, html={"editor": editor, "viewer": viewer}, note="edited card “A”")
    return {"event": "changed", "revision": revision, "messages": changed_messages(regions=regions, actor=actor)}


def test_a_change_made_while_connected_arrives_with_its_revision_as_id_and_regions(owner, journey):
    revision = Journey.objects.get(pk=journey.pk).revision

    def change():
        bus.publish(journey.pk, _changed(revision + 1, editor='<div id="cell-1-1">e</div>', viewer="v"))

    _, events = read_events(_async_client_for(owner), f"{_url(journey)}?since={revision}", 2, during=change)
    changed = next(e for e in events if e["event"] == "changed")
    assert changed["id"] == str(revision + 1)
    assert json.loads(changed["data"]) == {"revision": revision + 1, "actor": "Maria", "note": "edited card “A”",
                                           "reload": False, "html": '<div id="cell-1-1">e</div>'}


def test_a_viewer_gets_the_regions_without_edit_controls(viewer, journey):
    revision = Journey.objects.get(pk=journey.pk).revision

    def change():
        bus.publish(journey.pk, _changed(revision + 1, editor="with controls", viewer="read only"))

    _, events = read_events(_async_client_for(viewer), f"{_url(journey)}?since={revision}", 2, during=change)
    changed = next(e for e in events if e["event"] == "changed")
    assert json.loads(changed["data"])["html"] == "read only"


def test_every_change_of_a_burst_reaches_a_board_in_order(owner, journey):
    revision = Journey.objects.get(pk=journey.pk).revision

    def burst():
        for step in (1, 2, 3):
            bus.publish(journey.pk, _changed(revision + step))

    _, events = read_events(_async_client_for(owner), f"{_url(journey)}?since={revision}", 4, during=burst)
    assert [e["id"] for e in events if e["event"] == "changed"] == [str(revision + n) for n in (1, 2, 3)]


def test_after_the_bus_lost_events_the_stream_catches_up_from_the_database(owner, journey):
    revision = Journey.objects.get(pk=journey.pk).revision

    def missed_change_then_resync():
        Journey.objects.filter(pk=journey.pk).update(revision=revision + 2)  # its event was lost with Redis
        bus.publish(journey.pk, {"event": "resync"})

    _, events = read_events(_async_client_for(owner), f"{_url(journey)}?since={revision}", 2,
                            during=missed_change_then_resync)
    assert [e["id"] for e in events if e["event"] == "changed"] == [str(revision + 2)]


def test_a_quiet_stream_sends_heartbeat_comments(owner, journey, settings):
    settings.LIVE_HEARTBEAT_SECONDS = 0.01
    client = _async_client_for(owner)

    async def scenario():
        response = await client.get(_url(journey))
        chunks = aiter(response.streaming_content)
        try:
            return [(await anext(chunks)).decode() for _ in range(4)]
        finally:
            await chunks.aclose()

    assert ": keep-alive\n\n" in async_to_sync(scenario)()


def test_a_viewer_may_watch_the_map(viewer, journey):
    status, events = read_events(_async_client_for(viewer), _url(journey), 1)
    assert status == 200 and events[0]["event"] == "presence"


def test_under_wsgi_there_is_no_stream_rather_than_a_stuck_worker(owner_client, journey):
    response = owner_client.get(_url(journey))
    assert response.status_code == 204
    assert b"".join(response.streaming_content) == b""


def test_another_workspace_gets_404(owner, other_journey):
    status, events = read_events(_async_client_for(owner), _url(other_journey), 1)
    assert status == 404 and events == []


def test_signed_out_is_sent_to_the_login_page(journey):
    response = async_to_sync(AsyncClient().get)(_url(journey))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_stream_leaves_presence_when_it_closes(owner, journey):
    read_events(_async_client_for(owner), _url(journey), 1)
    entries, _ = presence.entries_read(journey_id=journey.pk)
    assert entries == {}


# --- the editing marker --------------------------------------------------------------


def _editing_url(journey) -> str:
    return f"/maps/{journey.pk}/editing/"


def test_an_editor_marks_and_clears_the_card_they_edit(editor_client, editor, owner, journey, htmx):
    card = factories.make_card(journey, owner, title="Intake")
    response = editor_client.post(_editing_url(journey), {"card": card.pk}, **htmx)
    assert response.status_code == 204
    entries, _ = presence.entries_read(journey_id=journey.pk)
    assert entries[f"edit:{editor.pk}"]["card"] == card.pk
    assert editor_client.post(_editing_url(journey), {"card": ""}, **htmx).status_code == 204
    assert f"edit:{editor.pk}" not in presence.entries_read(journey_id=journey.pk)[0]


def test_the_editing_marker_without_htmx_redirects_to_the_board(editor_client, owner, journey):
    card = factories.make_card(journey, owner)
    response = editor_client.post(_editing_url(journey), {"card": card.pk})
    assert response.status_code == 302 and response["Location"] == f"/maps/{journey.pk}/"


def test_a_viewer_cannot_mark_a_card_as_being_edited(viewer_client, owner, journey, htmx):
    card = factories.make_card(journey, owner)
    assert viewer_client.post(_editing_url(journey), {"card": card.pk}, **htmx).status_code == 403
    assert presence.entries_read(journey_id=journey.pk)[0] == {}


def test_a_card_of_another_map_is_404(owner_client, owner, journey, other_journey, htmx):
    theirs = factories.make_card(other_journey, other_journey.workspace.memberships.get().user)
    assert owner_client.post(_editing_url(journey), {"card": theirs.pk}, **htmx).status_code == 404
    assert owner_client.post(_editing_url(other_journey), {"card": ""}, **htmx).status_code == 404


def test_the_editing_marker_needs_a_signed_in_person(client, journey):
    response = client.post(_editing_url(journey), {"card": ""})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_board_page_connects_to_its_stream(owner, journey):
    response = async_to_sync(_async_client_for(owner).get)(f"/maps/{journey.pk}/")
    html = response.content.decode()
    assert f'sse-connect="/maps/{journey.pk}/events/?since={Journey.objects.get(pk=journey.pk).revision}"' in html
    assert 'sse-swap="presence"' in html
    assert "vendor/htmx-ext-sse/sse-2.2.4.js" in html


def test_a_board_served_by_wsgi_does_not_try_to_stream(owner_client, journey):
    assert "sse-connect" not in owner_client.get(f"/maps/{journey.pk}/").content.decode()
