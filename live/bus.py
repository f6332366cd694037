"""Per-journey events from whoever changed a map to every stream watching it.

With `settings.REDIS_URL` events travel through Redis pub/sub, so any number of web
processes serving one map see each other's changes; without it they stay in this
process (the embedded default). Either way each process keeps one registry of its
local subscribers (an asyncio queue each), and delivery into it is thread-safe:
sync views publish from worker threads into the event loop serving the streams.
"""

import asyncio
import contextlib
import functools
import json
import logging
import threading
import weakref
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio
from django.conf import settings

logger = logging.getLogger(__name__)

RELAY_RETRY_SECONDS = 1.0
RELAY_READY_TIMEOUT_SECONDS = 5.0


def channel_name(journey_id: int) -> str:
    return f"{settings.LIVE_CHANNEL_PREFIX}journey:{journey_id}"


class _LocalSubscribers:
    """The queues of this process's subscribers, by channel."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queues: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}

    def add(self, channel: str, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
        with self._lock:
            self._queues.setdefault(channel, set()).add((loop, queue))

    def discard(self, channel: str, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue) -> None:
        with self._lock:
            queues = self._queues.get(channel, set())
            queues.discard((loop, queue))
            if not queues:
                self._queues.pop(channel, None)

    def deliver(self, channel: str, event: dict[str, Any]) -> None:
        with self._lock:
            targets = list(self._queues.get(channel, ()))
        by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Queue]] = {}
        for loop, queue in targets:
            by_loop.setdefault(loop, []).append(queue)
        # One wake-up per event loop, not per subscriber: the publisher is often an edit's own
        # request, which should not pay for hundreds of cross-thread calls before it answers.
        for loop, queues in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop has closed: its subscribers are gone
                loop.call_soon_threadsafe(_put_all, queues, event)

    def deliver_everywhere(self, event: dict[str, Any]) -> None:
        with self._lock:
            channels = list(self._queues)
        for channel in channels:
            self.deliver(channel, event)


def _put_all(queues: list[asyncio.Queue], event: dict[str, Any]) -> None:
    for queue in queues:
        queue.put_nowait(event)


_subscribers = _LocalSubscribers()


class _RedisRelay:
    """One Redis connection per event loop, subscribed to every journey channel of the prefix,
    relaying what arrives to the local subscribers (rather than one connection per stream)."""

    def __init__(self, url: str, prefix: str) -> None:
        self._url = url
        self._pattern = f"{prefix}journey:*"
        self.ready = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._run(), name="live-redis-relay")

    async def _run(self) -> None:
        lost = False
        while True:
            client = redis.asyncio.Redis.from_url(self._url)
            try:
                async with client.pubsub() as pubsub:
                    await pubsub.psubscribe(self._pattern)
                    await pubsub.get_message(timeout=RELAY_READY_TIMEOUT_SECONDS)  # the confirmation
                    self.ready.set()
                    if lost:
                        lost = False
                        # Events were missed while Redis was away: every stream re-reads the map's revision.
                        _subscribers.deliver_everywhere({"event": "resync"})
                    async for message in pubsub.listen():
                        if message["type"] == "pmessage":
                            _subscribers.deliver(message["channel"].decode(), json.loads(message["data"]))
            except (redis.RedisError, OSError):
                logger.warning("Lost the Redis connection for live updates; reconnecting", exc_info=True)
                if self.ready.is_set():
                    self.ready.clear()
                    lost = True
                await asyncio.sleep(RELAY_RETRY_SECONDS)
            finally:
                await client.aclose()


_relays: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[tuple[str, str], _RedisRelay]]" = (
    weakref.WeakKeyDictionary()
)


async def _redis_relay_ready() -> None:
    loop = asyncio.get_running_loop()
    key = (settings.REDIS_URL, settings.LIVE_CHANNEL_PREFIX)
    relays = _relays.setdefault(loop, {})
    if key not in relays:
        relays[key] = _RedisRelay(*key)
    await asyncio.wait_for(relays[key].ready.wait(), RELAY_READY_TIMEOUT_SECONDS)


class Subscription:
    def __init__(self, queue: asyncio.Queue) -> None:
        self._queue = queue

    async def next_event(self, *, timeout: float) -> dict[str, Any] | None:
        """The next event, or None when `timeout` seconds pass without one."""
        try:
            return await asyncio.wait_for(self._queue.get(), timeout)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def subscribe(journey_id: int) -> AsyncIterator[Subscription]:
    """Events of one journey from the moment this returns: nothing published after it is missed."""
    channel = channel_name(journey_id)
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue = asyncio.Queue()
    _subscribers.add(channel, loop, queue)
    try:
        if settings.REDIS_URL:
            await _redis_relay_ready()
        yield Subscription(queue)
    finally:
        _subscribers.discard(channel, loop, queue)


@functools.cache
def _redis_client(url: str) -> redis.Redis:
    return redis.Redis.from_url(url)


def redis_client() -> redis.Redis:
    """The process's Redis client for `settings.REDIS_URL` (thread-safe, pooled)."""
    return _redis_client(settings.REDIS_URL)


def publish(journey_id: int, event: dict[str, Any]) -> None:
    """Sends `event` to every subscriber of the journey, in every process. Callable from any thread."""
    if settings.REDIS_URL:
        try:
            redis_client().publish(channel_name(journey_id), json.dumps(event))
        except redis.RedisError:
            # The change itself is saved; when Redis is back, each relay's resync makes every stream catch up.
            logger.warning("Could not announce a live event: Redis did not answer", exc_info=True)
    else:
        _subscribers.deliver(channel_name(journey_id), event)
