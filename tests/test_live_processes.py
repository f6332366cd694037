"""Two web processes sharing Redis: an edit made through one reaches a stream served by the other."""

import json
import uuid

import pytest
from django.test import Client

from maps.models import Journey, LaneKind
from tests import factories
from tests.servers import SseClient, http_request, uvicorn_process
from tests.test_live_bus import REDIS_URL_FOR_TESTS

pytestmark = pytest.mark.django_db(transaction=True)


def _signed_in_cookies(user, journey) -> dict[str, str]:
    client = Client()
    client.force_login(user)
    client.get(f"/maps/{journey.pk}/")  # sets the CSRF cookie
    return {name: morsel.value for name, morsel in client.cookies.items()}


def test_an_edit_posted_to_process_a_reaches_a_listener_of_process_b(owner, journey):
    card = factories.make_card(journey, owner, kind=LaneKind.ACTIONS, title="Books a visit")
    cookies = _signed_in_cookies(owner, journey)
    env = {"REDIS_URL": REDIS_URL_FOR_TESTS, "LIVE_CHANNEL_PREFIX": f"test-{uuid.uuid4().hex}:"}
    with uvicorn_process(env=env) as process_a, uvicorn_process(env=env) as process_b:
        revision = Journey.objects.get(pk=journey.pk).revision
        listener = SseClient(process_b, f"/maps/{journey.pk}/events/?since={revision}", cookies=cookies)
        try:
            assert listener.status == 200
            listener.next_event_named("presence")  # B's stream is subscribed (its own presence came through Redis)
            status, body = http_request(
                process_a, "POST", f"/maps/{journey.pk}/cards/{card.pk}/edit/", cookies=cookies,
                data={"version": card.version, "title": "Books a video visit", "body": ""},
                headers={"X-CSRFToken": cookies["csrftoken"], "HX-Request": "true"},
            )
            assert status == 200, body[:300]
            event = listener.next_event_named("changed")
        finally:
            listener.close()
    assert event["id"] == str(revision + 1)
    change = json.loads(event["data"])
    assert (change["revision"], change["actor"], change["reload"]) == (revision + 1, "owner", False)
    assert f'id="card-{card.pk}"' in change["html"] and "Books a video visit" in change["html"]
