"""Server-Sent Events of one journey: `changed` (id: the map's revision), `panels` and `presence`.

Each `changed` event arrives on the bus already rendered (see `live.receivers`): the stream
relays the message for its kind of listener (`editor`, `viewer` or `guest`) untouched, so an
edit costs every open board a write of bytes, not a render. A client that reconnects or wakes up
says which revision it shows (the Last-Event-ID header the browser sends by itself, or `?since=`);
if the map has moved on since, the stream starts with a `changed` event asking it to re-read the
board once. The client orders events by revision and re-reads the board on a gap (board.js).

Streams cost no thread: they run on the event loop, and the ASGI entry point (`live.asgi`) keeps
Django from giving each of them a thread of its own; their few synchronous steps (the access check,
presence) take turns on asgiref's one shared thread. Each process caps the streams it holds, in
all and per person (settings `LIVE_STREAMS_PER_PROCESS`, `LIVE_STREAMS_PER_PERSON`); past a cap a new
stream is refused (429 for one person's cap, 503 for the process's) and the open ones carry on.
Other apps serve this stream too, after their own access checks (the workshop's share links give
guests a read-only one, ended the moment the link is revoked or expires).
"""

import asyncio
import datetime
import json
import threading
import uuid
import weakref
from collections import Counter
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.template.loader import render_to_string
from django.utils import timezone

from maps.models import Journey
from maps.regions import Regions

from . import bus, selectors, services
from .presence import Watcher

RECONNECT_MILLISECONDS = 2000
# Presence changes come in bursts (a room of people opening a map): each process renders once per burst.
PRESENCE_SETTLE_SECONDS = 0.2
GUEST = "guest"


def sse_message(*, event: str, data: str, event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def changed_messages(*, regions: Regions, actor: str) -> dict[str, str]:
    """The `changed` message for each kind of listener, rendered once per change."""
    def message(data: dict) -> str:
        return sse_message(event="changed", data=json.dumps(data), event_id=regions.revision)

    # A guest learns no member's name; other pages' forms of the cards (the presentation) show what a share page does.
    messages = {GUEST: message({"revision": regions.revision, "reload": regions.reload, **regions.pages})}
    for variant in ("editor", "viewer"):
        messages[variant] = message({"revision": regions.revision, "actor": actor, "note": regions.note,
                                     "reload": regions.reload, "html": regions.html.get(variant, ""),
                                     **regions.pages})
    return messages


def panels_messages(*, html: str) -> dict[str, str]:
    """The `panels` message (board panels whose content changed) for members; a guest's page has no panels."""
    message = sse_message(event="panels", data=html)
    return {"editor": message, "viewer": message}


def catch_up_message(revision: int) -> str:
    """For a client that missed changes: re-read the board (once)."""
    return sse_message(event="changed", data=json.dumps({"revision": revision, "reload": True}), event_id=revision)


def _revision_now(journey_id: int) -> int:
    revision = Journey.objects.filter(pk=journey_id).values_list("revision", flat=True).first() or 0
    if not connection.in_atomic_block:
        # A stream lasts for hours; it must not hold one of the database's few connections all along.
        connection.close()
    return revision


def _presence_html(journey_id: int) -> str:
    html = render_to_string("maps/board.html#presence", {"presence": selectors.presence_everyone(journey_id=journey_id)})
    return html.strip()


class _PresenceRenders:
    """One presence render per journey and burst in this process, shared by all its streams there:
    everyone on the map is in it, and each board hides its own person (board.js). A room arriving
    costs one render per burst, not one per stream per arrival."""

    def __init__(self) -> None:
        self._pending: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, asyncio.Future]] = (
            weakref.WeakKeyDictionary())

    async def html(self, journey_id: int) -> str:
        pending = self._pending.setdefault(asyncio.get_running_loop(), {})
        future = pending.get(journey_id)
        if future is None:
            future = pending[journey_id] = asyncio.ensure_future(sync_to_async(_presence_html)(journey_id))
            future.add_done_callback(lambda _: pending.pop(journey_id, None))
        return await asyncio.shield(future)


_presence_renders = _PresenceRenders()


def _since(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("since") or ""
    return int(raw) if raw.isdigit() else None


async def _watcher(*, request: HttpRequest, journey_id: int, who: str | None) -> Watcher | None:
    if who is None:
        return None
    user = await request.auser()
    return Watcher(journey_id=journey_id, connection=uuid.uuid4().hex, name=who,
                   user_id=user.pk if user.is_authenticated else None)


async def _events(*, request: HttpRequest, journey_id: int, who: str | None, variant: str, share_link_id: int | None,
                  ends_at: datetime.datetime | None) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    since = _since(request)
    watcher = await _watcher(request=request, journey_id=journey_id, who=who)
    # A share link's stream ends when the link expires (or at once when it is revoked: below).
    end_due = loop.time() + max(0.0, (ends_at - timezone.now()).total_seconds()) if ends_at else None
    async with bus.subscribe(journey_id) as subscription:
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
        newest = await sync_to_async(_revision_now)(journey_id)
        if since is not None and newest > since:
            yield catch_up_message(newest)
        presence_due = None  # when to send the presence that changed
        heartbeat_due = loop.time() + settings.LIVE_HEARTBEAT_SECONDS  # kept however busy the map is
        if watcher is not None:
            await sync_to_async(services.presence_join)(watcher=watcher)
        try:
            while True:
                due = min(d for d in (heartbeat_due, presence_due, end_due) if d is not None)
                event = await subscription.next_event(timeout=max(0.0, due - loop.time()))
                kind = event["event"] if event is not None else None
                if kind == "changed":
                    # Sent as they come, every one: the client puts them in order and spots a gap.
                    newest = max(newest, event["revision"])
                    yield event["messages"][variant]
                elif kind == "panels" and variant in event["messages"]:
                    yield event["messages"][variant]
                elif kind == "share_revoked" and event["link"] == share_link_id:
                    return
                elif kind == "resync":
                    revision = await sync_to_async(_revision_now)(journey_id)
                    if revision > newest:
                        newest = revision
                        yield catch_up_message(revision)
                elif kind == "presence" and watcher is not None and presence_due is None:
                    presence_due = loop.time() + PRESENCE_SETTLE_SECONDS
                now = loop.time()
                if end_due is not None and now >= end_due:
                    return
                if presence_due is not None and now >= presence_due:
                    presence_due = None
                    yield sse_message(event="presence", data=await _presence_renders.html(journey_id))
                if now >= heartbeat_due:
                    heartbeat_due = now + settings.LIVE_HEARTBEAT_SECONDS
                    yield ": keep-alive\n\n"
                    if watcher is not None:
                        await sync_to_async(services.presence_refresh)(watcher=watcher)
        finally:
            if watcher is not None:
                await sync_to_async(services.presence_leave)(watcher=watcher)


class _StreamCounts:
    """The streams this process holds, in all and per person (a member's id, or a share link's)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._per_person: Counter[str] = Counter()
        self.total = 0

    def take(self, person: str) -> HttpResponse | None:
        """Counts a new stream in, or answers why not."""
        with self._lock:
            if self.total >= settings.LIVE_STREAMS_PER_PROCESS:
                return _refusal(503, "This server is following as many live maps as it can. Try again shortly.")
            if self._per_person[person] >= settings.LIVE_STREAMS_PER_PERSON:
                return _refusal(429, "Too many live tabs open on this server: close one and try again.")
            self._per_person[person] += 1
            self.total += 1
            return None

    def release(self, person: str) -> None:
        with self._lock:
            self.total -= 1
            self._per_person[person] -= 1
            if self._per_person[person] <= 0:
                del self._per_person[person]


stream_counts = _StreamCounts()


def _refusal(status: int, message: str) -> HttpResponse:
    response = HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = "30"
    return response


def can_stream(request: HttpRequest) -> bool:
    """Under WSGI (pytest-django's live_server, `manage.py runserver`) a stream would hold a worker
    thread forever, so there is none: the board then simply is not live."""
    return isinstance(request, ASGIRequest)


def release_database_connection() -> None:
    """Called by a view once its access check is done, in the thread that made it: a stream
    lasts for hours, and a room full of people watching must not hold a connection each."""
    if not connection.in_atomic_block:
        connection.close()


def event_stream_response(*, request: HttpRequest, journey_id: int, who: str | None, person: str,
                          can_edit: bool = False, share_link_id: int | None = None,
                          ends_at: datetime.datetime | None = None) -> HttpResponse:
    """The journey's event stream for a caller that has already checked access.

    `who` is the name others see in presence; None for an anonymous watcher (not shown).
    `person` is whom the per-person cap counts (a member, or a share link); `can_edit` picks the
    regions with edit controls; a `share_link_id` makes it a guest's stream, which names nobody and
    ends at `ends_at` or when that link is revoked.
    Where the server cannot stream, the answer is 204, which tells a browser not to retry.
    """
    if not can_stream(request):
        return StreamingHttpResponse([], status=204)
    if (refusal := stream_counts.take(person)) is not None:
        return refusal
    variant = GUEST if share_link_id is not None else ("editor" if can_edit else "viewer")
    response = StreamingHttpResponse(
        _events(request=request, journey_id=journey_id, who=who, variant=variant, share_link_id=share_link_id,
                ends_at=ends_at),
        content_type="text/event-stream",
    )
    released = []

    def release() -> None:  # once, whether the stream ran to its end or never started
        if not released:
            released.append(True)
            stream_counts.release(person)

    response._resource_closers.append(release)
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
