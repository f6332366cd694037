"""Server-Sent Events of one journey: `changed` (id: the map's revision) and `presence`.

A client that reconnects or wakes up says which revision it shows (the Last-Event-ID
header the browser sends by itself, or `?since=`); if the map has moved on since, the
stream starts with a `changed` event, so nothing is missed: the client then re-reads
the board. Other apps serve this stream too, after their own access checks (the
workshop's share links give guests a read-only one).
"""

import asyncio
import json
import uuid
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async
from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.db import connection
from django.http import HttpRequest, StreamingHttpResponse
from django.template.loader import render_to_string

from maps.models import Journey

from . import bus, selectors, services
from .presence import Watcher

RECONNECT_MILLISECONDS = 2000
# Presence changes come in bursts (a room of people opening a map): each stream renders once per burst.
PRESENCE_SETTLE_SECONDS = 0.2
# Changes are sent a moment after they commit, newest only: the writer's own response goes out
# first, and a burst of edits makes each open board re-read itself once, not once per edit.
CHANGE_SETTLE_SECONDS = 0.05


def sse_message(*, event: str, data: str, event_id: int | None = None) -> str:
    lines = [f"id: {event_id}"] if event_id is not None else []
    lines.append(f"event: {event}")
    lines += [f"data: {line}" for line in data.splitlines() or [""]]
    return "\n".join(lines) + "\n\n"


def changed_message(*, revision: int, actor: str) -> str:
    return sse_message(event="changed", data=json.dumps({"revision": revision, "actor": actor}), event_id=revision)


def _revision_now(journey_id: int) -> int:
    revision = Journey.objects.filter(pk=journey_id).values_list("revision", flat=True).first() or 0
    if not connection.in_atomic_block:
        # A stream lasts for hours; it must not hold one of the database's few connections all along.
        connection.close()
    return revision


def _presence_html(watcher: Watcher) -> str:
    return render_to_string("maps/board.html#presence", {"presence": selectors.presence_get(watcher=watcher)}).strip()


def _since(request: HttpRequest) -> int | None:
    raw = request.headers.get("Last-Event-ID") or request.GET.get("since") or ""
    return int(raw) if raw.isdigit() else None


async def _watcher(*, request: HttpRequest, journey_id: int, who: str | None) -> Watcher | None:
    if who is None:
        return None
    user = await request.auser()
    return Watcher(journey_id=journey_id, connection=uuid.uuid4().hex, name=who,
                   user_id=user.pk if user.is_authenticated else None)


async def _events(*, request: HttpRequest, journey_id: int, who: str | None) -> AsyncIterator[str]:
    loop = asyncio.get_running_loop()
    since = _since(request)
    watcher = await _watcher(request=request, journey_id=journey_id, who=who)
    async with bus.subscribe(journey_id) as subscription:
        shown = since
        yield f"retry: {RECONNECT_MILLISECONDS}\n\n"
        revision = await sync_to_async(_revision_now)(journey_id)
        if shown is not None and revision > shown:
            shown = revision
            yield changed_message(revision=revision, actor="")
        presence_due = None  # when to send the presence that changed
        change_due, change = None, None  # when to send the newest change not yet sent
        heartbeat_due = loop.time() + settings.LIVE_HEARTBEAT_SECONDS  # kept however busy the map is
        if watcher is not None:
            await asyncio.to_thread(services.presence_join, watcher=watcher)
        try:
            while True:
                due = min(d for d in (heartbeat_due, presence_due, change_due) if d is not None)
                event = await subscription.next_event(timeout=max(0.0, due - loop.time()))
                kind = event["event"] if event is not None else None
                if kind == "changed":
                    if change is None or event["revision"] > change["revision"]:
                        change = event
                    change_due = change_due or loop.time() + CHANGE_SETTLE_SECONDS
                elif kind == "resync":
                    revision = await sync_to_async(_revision_now)(journey_id)
                    if shown is None or revision > shown:
                        shown = revision
                        yield changed_message(revision=revision, actor="")
                elif kind == "presence" and watcher is not None and presence_due is None:
                    presence_due = loop.time() + PRESENCE_SETTLE_SECONDS
                now = loop.time()
                if change_due is not None and now >= change_due:
                    change_due = None
                    if shown is None or change["revision"] > shown:
                        shown = change["revision"]
                        yield changed_message(revision=change["revision"], actor=change["actor"])
                    change = None
                if presence_due is not None and now >= presence_due:
                    presence_due = None
                    yield sse_message(event="presence", data=await asyncio.to_thread(_presence_html, watcher))
                if now >= heartbeat_due:
                    heartbeat_due = now + settings.LIVE_HEARTBEAT_SECONDS
                    yield ": keep-alive\n\n"
                    if watcher is not None:
                        await asyncio.to_thread(services.presence_refresh, watcher=watcher)
        finally:
            if watcher is not None:
                await asyncio.to_thread(services.presence_leave, watcher=watcher)


def can_stream(request: HttpRequest) -> bool:
    """Under WSGI (pytest-django's live_server, `manage.py runserver`) a stream would hold a worker
    thread forever, so there is none: the board then simply is not live."""
    return isinstance(request, ASGIRequest)


def release_database_connection() -> None:
    """Called by a view once its access check is done, in the thread that made it: a stream
    lasts for hours, and a room full of people watching must not hold a connection each."""
    if not connection.in_atomic_block:
        connection.close()


def event_stream_response(*, request: HttpRequest, journey_id: int, who: str | None) -> StreamingHttpResponse:
    """The journey's event stream for a caller that has already checked access.

    `who` is the name others see in presence; None for an anonymous watcher (not shown).
    Where the server cannot stream, the answer is 204, which tells a browser not to retry.
    """
    if not can_stream(request):
        return StreamingHttpResponse([], status=204)
    response = StreamingHttpResponse(
        _events(request=request, journey_id=journey_id, who=who), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response
