"""The event bus: in-process (the embedded default) and through Redis, and the receiver that feeds it."""

import asyncio
import os
import threading
import uuid

import pytest
from asgiref.sync import async_to_sync, sync_to_async

from live import bus
from maps.models import Journey
from maps.services import journey_mark_reviewed
from tests.servers import redis_for_tests

REDIS_URL_FOR_TESTS = os.environ.get("REDIS_URL") or redis_for_tests(1)


@pytest.fixture(params=["in_process", "redis"])
def bus_backend(request, settings):
    """Both kinds of bus; Redis channels carry a prefix of their own so parallel runs never cross."""
    settings.LIVE_CHANNEL_PREFIX = f"test-{uuid.uuid4().hex}:"
    settings.REDIS_URL = REDIS_URL_FOR_TESTS if request.param == "redis" else ""
    return request.param


def _publish_from_another_thread(journey_id: int, event: dict) -> None:
    thread = threading.Thread(target=bus.publish, args=(journey_id, event))
    thread.start()
    thread.join()


def test_a_subscriber_receives_what_another_thread_publishes(bus_backend):
    async def scenario():
        async with bus.subscribe(7) as subscription:
            event = {"event": "changed", "revision": 3, "actor": "Maria"}
            await asyncio.to_thread(_publish_from_another_thread, 7, event)
            return await subscription.next_event(timeout=10)

    assert async_to_sync(scenario)() == {"event": "changed", "revision": 3, "actor": "Maria"}


def test_a_subscriber_hears_only_its_own_journey(bus_backend):
    async def scenario():
        async with bus.subscribe(7) as subscription:
            bus.publish(8, {"event": "changed", "revision": 99, "actor": "Other map"})
            bus.publish(7, {"event": "changed", "revision": 4, "actor": "Maria"})
            return await subscription.next_event(timeout=10)

    assert async_to_sync(scenario)()["revision"] == 4


def test_every_subscriber_of_a_journey_receives_each_event_in_order(bus_backend):
    async def scenario():
        async with bus.subscribe(5) as first, bus.subscribe(5) as second:
            for revision in (1, 2, 3):
                bus.publish(5, {"event": "changed", "revision": revision, "actor": ""})
            return [[(await s.next_event(timeout=10))["revision"] for _ in range(3)] for s in (first, second)]

    assert async_to_sync(scenario)() == [[1, 2, 3], [1, 2, 3]]


def test_a_subscriber_that_left_receives_nothing_more(bus_backend):
    async def scenario():
        async with bus.subscribe(6) as subscription:
            pass
        bus.publish(6, {"event": "changed", "revision": 1, "actor": ""})
        return subscription

    subscription = async_to_sync(scenario)()
    assert subscription._queue.empty()


@pytest.mark.django_db
def test_a_committed_map_change_is_published_with_its_revision_and_actor(
        bus_backend, owner, journey, django_capture_on_commit_callbacks):
    owner.first_name, owner.last_name = "Olivia", "Owner"
    owner.save()

    async def scenario():
        async with bus.subscribe(journey.pk) as subscription:
            def change():
                with django_capture_on_commit_callbacks(execute=True):
                    journey_mark_reviewed(actor=owner, journey=journey)
            await sync_to_async(change)()  # in the test's thread: its transaction holds the data
            return await subscription.next_event(timeout=10)

    event = async_to_sync(scenario)()
    revision = Journey.objects.get(pk=journey.pk).revision
    assert (event["event"], event["revision"]) == ("changed", revision)
    editor = event["messages"]["editor"]
    assert f"id: {revision}\n" in editor and '"actor": "Olivia Owner"' in editor
    assert "Olivia" not in event["messages"]["guest"]  # a share link's guest learns no member's name
